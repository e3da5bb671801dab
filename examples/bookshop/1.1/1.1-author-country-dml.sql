UPDATE author SET country = CASE name
    WHEN 'Ursula K. Le Guin' THEN 'US'
    WHEN 'Italo Calvino' THEN 'IT'
    ELSE 'AR'
END;
