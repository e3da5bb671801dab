using System.Text.RegularExpressions;
using North.Core.Repository;

namespace North.Core.Scaffolding;

/// <summary>
/// The text a new migration file starts with: what North will do with it and the safe form of the
/// usual statement, as comments, so an unedited file is valid and changes nothing.
/// </summary>
internal static partial class MigrationTemplate
{
    /// <summary>The content for a new file of <paramref name="request"/>'s kind named <paramref name="name"/>.</summary>
    public static string For(NewMigrationRequest request, string name)
    {
        if (request.Manual)
        {
            return $"""
                -- {name}: a manual migration, run in bounded batches until a batch changes no row.
                -- North runs the block between do-until-0 and done again and again until its
                -- INSERT/UPDATE/DELETE statements change 0 rows. Each batch must change at most a
                -- bounded number of rows (LIMIT) and only rows not yet done (the WHERE), or it never ends.
                --meta-psql:do-until-0
                -- UPDATE table_name SET column_name = new_value
                -- WHERE id IN (SELECT id FROM table_name WHERE column_name IS NULL LIMIT 1000);
                --meta-psql:done

                """;
        }
        if (request.Kind == MigrationKind.Dml)
        {
            return $"""
                -- {name}: a data change, run once, in one transaction with its history row.
                -- For many rows of a busy table, write a manual migration instead
                -- (New-NorthMigration -Manual): bounded batches hold no lock for long.

                """;
        }
        if (IsIndexTopic(request.Topic))
        {
            return $"""
                -- {name}: an index, built without blocking writes.
                -- CONCURRENTLY makes North run this file outside a transaction, statement by statement;
                -- IF NOT EXISTS lets it run again after an interruption (North checks the index is valid
                -- before recording the file; drop an INVALID one first).
                -- North sets the DdlLockTimeout setting's lock_timeout; to choose this file's own:
                -- SET lock_timeout = '5s';
                -- CREATE INDEX CONCURRENTLY IF NOT EXISTS table_name_column_name_idx ON table_name (column_name);

                """;
        }
        return $"""
            -- {name}: a schema change, run in one transaction with its history row.
            -- North sets the DdlLockTimeout setting's lock_timeout, so a statement waiting behind a long
            -- query fails (and is retried) instead of blocking every session queued behind it.
            -- To choose this file's own:
            -- SET lock_timeout = '5s';

            """;
    }

    /// <summary>An index topic: <c>index</c> or <c>idx</c> as a word of the topic (<c>book-isbn-index</c>).</summary>
    public static bool IsIndexTopic(string topic) => IndexWord().IsMatch(topic);

    [GeneratedRegex(@"(^|[-_])(index|idx)([-_]|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IndexWord();
}
