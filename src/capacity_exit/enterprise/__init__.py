"""Enterprises, identified by their unified social credit code."""
