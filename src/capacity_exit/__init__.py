"""capacity-exit: disclosure and sharing system for pushing backward production capacity to exit."""

__version__ = "0.1.0"
