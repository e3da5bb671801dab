-- Fills book.slug in batches of 1,000 so no lock is held for long; runs until nothing is left.
--meta-psql:do-until-0
UPDATE book SET slug = lower(replace(title, ' ', '-'))
WHERE id IN (SELECT id FROM book WHERE slug IS NULL LIMIT 1000);
--meta-psql:done
