"""Published disclosures: publicity notices (公示) and announcements (公告)."""
