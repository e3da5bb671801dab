using North.Core.Reporting;
using Npgsql;

namespace North.Core.Schema;

/// <summary>
/// Settles differences that are only the server's deparse talking. The text PostgreSQL prints
/// for a CHECK, an index predicate, a view or a default is not always what it gives back once
/// that text is parsed again: <c>x IN ('a','b')</c> on a varchar column deparses to
/// <c>ANY ((ARRAY[...])::text[])</c>, which after a dump and restore deparses to
/// <c>ANY (ARRAY[(...)::text, ...])</c>. Such a difference is fed back through each side's own
/// server (on a temporary table or view, in a transaction rolled back) until the text stops
/// changing; when both sides settle on the same text, the difference was not one.
/// </summary>
internal sealed class DeparseRoundTrip
{
    private const int MaxTrips = 3;
    private const string TempName = "north_roundtrip";
    private readonly IReporter _reporter;

    public DeparseRoundTrip(IReporter reporter)
    {
        _reporter = reporter;
    }

    /// <summary>True for the differences whose text can be round-tripped.</summary>
    public static bool Applies(SchemaDifference d) =>
        d is { Difference: SchemaDifferenceKind.Changed, Expected: not null, Actual: not null, ExpectedObject: not null, ActualObject: not null }
        && (d.ObjectType, d.Property) switch
        {
            (SchemaObjectType.Constraint, "Definition") => d.ExpectedObject.Properties.GetValueOrDefault("Type") == "check",
            (SchemaObjectType.Index, "Definition") => true,
            (SchemaObjectType.View or SchemaObjectType.MaterializedView, "Definition") => true,
            (SchemaObjectType.Column, "Default" or "Generated") => true,
            (SchemaObjectType.Policy, "Using" or "WithCheck") => true,
            (SchemaObjectType.Domain, var p) => p!.StartsWith("Check ", StringComparison.Ordinal),
            _ => false,
        };

    /// <summary>The differences left once the deparse-only ones are dropped.</summary>
    public async Task<IReadOnlyList<SchemaDifference>> SettleAsync(
        IReadOnlyList<SchemaDifference> differences, DatabaseSide expected, DatabaseSide actual, CancellationToken cancel)
    {
        var kept = new List<SchemaDifference>(differences.Count);
        foreach (var d in differences)
        {
            if (Applies(d))
            {
                var e = await CanonicalAsync(expected, d.ExpectedObject!, d.Property!, d.Expected!, cancel);
                var a = await CanonicalAsync(actual, d.ActualObject!, d.Property!, d.Actual!, cancel);
                if (e is not null && string.Equals(e, a, StringComparison.Ordinal))
                {
                    _reporter.Debug($"{d.ObjectType} {d.Name}: {d.Property} differs only in the server's deparse; round-tripped, both read: {e}");
                    continue;
                }
            }
            kept.Add(d);
        }
        return kept;
    }

    /// <summary>The text after parsing and deparsing it again until it is stable; null when the
    /// server would not take it back (then the difference stands).</summary>
    private async Task<string?> CanonicalAsync(DatabaseSide side, SchemaObject o, string property, string text, CancellationToken cancel)
    {
        var current = text;
        for (var trip = 0; trip < MaxTrips; trip++)
        {
            string? next;
            try
            {
                next = await TripAsync(side, o, property, current, cancel);
            }
            catch (PostgresException e)
            {
                _reporter.Verbose($"Could not round-trip the {property} of {o.Type} {o.Name} on database {side.Connection.Database}: {e.MessageText}");
                return null;
            }
            if (next is null || string.Equals(next, current, StringComparison.Ordinal))
            {
                return next;
            }
            current = next;
        }
        return current;
    }

    private static async Task<string?> TripAsync(DatabaseSide side, SchemaObject o, string property, string text, CancellationToken cancel)
    {
        // In the caller's transaction, a savepoint; otherwise a transaction of our own. Either
        // way everything made here is rolled back.
        var connection = side.Connection;
        var owned = side.Transaction is null;
        var transaction = side.Transaction ?? await connection.BeginTransactionAsync(cancel);
        if (!owned)
        {
            await transaction.SaveAsync(TempName, cancel);
        }
        try
        {
            await ExecuteAsync(connection, transaction, CatalogQueries.SessionSettings, cancel);
            var relation = ScratchDatabase.Quote(o.Schema) + "." + ScratchDatabase.Quote(o.Relation ?? o.LocalName);
            var temp = "pg_temp." + TempName;
            switch (o.Type)
            {
                case SchemaObjectType.View or SchemaObjectType.MaterializedView:
                    await ExecuteAsync(connection, transaction, $"CREATE TEMPORARY VIEW {TempName} AS {text.TrimEnd().TrimEnd(';')}", cancel);
                    return await ScalarAsync(connection, transaction, $"SELECT pg_catalog.pg_get_viewdef('{temp}'::pg_catalog.regclass)", cancel);

                case SchemaObjectType.Constraint:
                    await ExecuteAsync(connection, transaction, $"CREATE TEMPORARY TABLE {TempName} (LIKE {relation})", cancel);
                    await ExecuteAsync(connection, transaction, $"ALTER TABLE {temp} ADD CONSTRAINT {TempName} {text} NOT VALID", cancel);
                    return await ScalarAsync(connection, transaction,
                        $"SELECT pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef(oid), ' NOT VALID$', '') FROM pg_catalog.pg_constraint " +
                        $"WHERE conrelid = '{temp}'::pg_catalog.regclass AND conname = '{TempName}'", cancel);

                case SchemaObjectType.Column when property == "Generated":
                    // Stored as "expression stored" or "expression virtual"; a generation
                    // expression can only be given with the column, so a new column of the same
                    // type carries it.
                    var kind = text.EndsWith(" stored", StringComparison.Ordinal) ? " stored"
                        : text.EndsWith(" virtual", StringComparison.Ordinal) ? " virtual" : null;
                    if (kind is null || o.Properties.GetValueOrDefault("Type") is not { } type)
                    {
                        return null;
                    }
                    await ExecuteAsync(connection, transaction, $"CREATE TEMPORARY TABLE {TempName} (LIKE {relation})", cancel);
                    await ExecuteAsync(connection, transaction,
                        $"ALTER TABLE {temp} ADD COLUMN {TempName} {type} GENERATED ALWAYS AS ({text[..^kind.Length]}){kind.ToUpperInvariant()}", cancel);
                    var generated = await ScalarAsync(connection, transaction,
                        $"SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_attribute a " +
                        $"ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = '{temp}'::pg_catalog.regclass AND a.attname = '{TempName}'", cancel);
                    return generated is null ? null : generated + kind;

                case SchemaObjectType.Policy:
                    await ExecuteAsync(connection, transaction, $"CREATE TEMPORARY TABLE {TempName} (LIKE {relation})", cancel);
                    var clause = property == "Using" ? "USING" : "WITH CHECK";
                    await ExecuteAsync(connection, transaction, $"CREATE POLICY {TempName} ON {temp} {clause} ({text})", cancel);
                    return await ScalarAsync(connection, transaction,
                        $"SELECT pg_catalog.pg_get_expr({(property == "Using" ? "polqual" : "polwithcheck")}, polrelid) FROM pg_catalog.pg_policy " +
                        $"WHERE polrelid = '{temp}'::pg_catalog.regclass", cancel);

                case SchemaObjectType.Domain:
                    if (o.Properties.GetValueOrDefault("BaseType") is not { } baseType)
                    {
                        return null;
                    }
                    await ExecuteAsync(connection, transaction, $"CREATE DOMAIN {temp} AS {baseType} CONSTRAINT {TempName} {text}", cancel);
                    return await ScalarAsync(connection, transaction,
                        "SELECT pg_catalog.pg_get_constraintdef(k.oid) FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_type t ON t.oid = k.contypid " +
                        $"WHERE t.typname = '{TempName}' AND t.typnamespace = pg_catalog.pg_my_temp_schema()", cancel);

                case SchemaObjectType.Column:
                    await ExecuteAsync(connection, transaction, $"CREATE TEMPORARY TABLE {TempName} (LIKE {relation})", cancel);
                    await ExecuteAsync(connection, transaction, $"ALTER TABLE {temp} ALTER COLUMN {ScratchDatabase.Quote(o.LocalName)} SET DEFAULT {text}", cancel);
                    return await ScalarAsync(connection, transaction,
                        $"SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_attribute a " +
                        $"ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = '{temp}'::pg_catalog.regclass " +
                        $"AND a.attname = '{o.LocalName.Replace("'", "''")}'", cancel);

                case SchemaObjectType.Index:
                    // The definition names its table as the deparser prints it; point it at a
                    // copy of the table, then print the copy's name back as the original's.
                    var printed = await ScalarAsync(connection, transaction,
                        $"SELECT pg_catalog.format('%I.%I', '{o.Schema.Replace("'", "''")}'::text, '{o.Relation!.Replace("'", "''")}'::text)", cancel);
                    var on = text.Contains($" ON ONLY {printed} USING ", StringComparison.Ordinal) ? $" ON ONLY {printed} USING " : $" ON {printed} USING ";
                    if (!text.Contains(on, StringComparison.Ordinal))
                    {
                        return null;
                    }
                    await ExecuteAsync(connection, transaction, $"CREATE TEMPORARY TABLE {TempName} (LIKE {relation})", cancel);
                    await ExecuteAsync(connection, transaction, text.Replace(on, $" ON {temp} USING "), cancel);
                    var tempPrinted = await ScalarAsync(connection, transaction,
                        $"SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n " +
                        $"ON n.oid = c.relnamespace WHERE c.oid = '{temp}'::pg_catalog.regclass", cancel);
                    var definition = await ScalarAsync(connection, transaction,
                        $"SELECT pg_catalog.pg_get_indexdef(indexrelid) FROM pg_catalog.pg_index WHERE indrelid = '{temp}'::pg_catalog.regclass", cancel);
                    // The server prints its own temporary schema as pg_temp, or as pg_temp_N.
                    return definition?
                        .Replace($" ON {tempPrinted} USING ", on, StringComparison.Ordinal)
                        .Replace($" ON {temp} USING ", on, StringComparison.Ordinal);

                default:
                    return null;
            }
        }
        finally
        {
            if (owned)
            {
                await transaction.RollbackAsync(CancellationToken.None);
                await transaction.DisposeAsync();
            }
            else
            {
                await transaction.RollbackAsync(TempName, CancellationToken.None);
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancel);
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteScalarAsync(cancel) as string;
    }
}

/// <summary>One side of a comparison: an open connection, and the transaction it is in, if any.</summary>
public sealed record DatabaseSide(NpgsqlConnection Connection, NpgsqlTransaction? Transaction = null);
