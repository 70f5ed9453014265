SELECT title, rank FROM leaders WHERE name = $name
