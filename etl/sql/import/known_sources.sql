SELECT kind, title, date FROM sources
