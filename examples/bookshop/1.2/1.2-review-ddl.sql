CREATE TABLE review (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    book_id integer NOT NULL REFERENCES book (id),
    stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
    body text,
    written_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION review_stars_avg(p_book integer) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT avg(stars) FROM review WHERE book_id = p_book;
$$;
