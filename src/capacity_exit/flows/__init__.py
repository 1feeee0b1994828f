"""What follows a step across domains: a case step's notices and credit pushes, a
notice's correction or withdrawal reaching its case, a concentrated publication, and
the overdue scan's listings. Above every domain; no domain imports it."""
