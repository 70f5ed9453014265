SELECT kind, title, source_id FROM sources
