INSERT INTO leaders (name, title, rank, is_principal) VALUES ($name, $title, $rank, $is_principal)
