UPDATE leaders SET title = $title, rank = $rank, is_principal = $is_principal WHERE name = $name
