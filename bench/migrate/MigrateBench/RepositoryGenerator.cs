using System.Globalization;
using System.Text;

namespace North.Bench.Migrate;

/// <summary>
/// Writes a migrations repository as DBAs write them: <c>versions</c> folders of <c>filesPerVersion</c>
/// files, each file wrapped in <c>BEGIN; ... COMMIT;</c>, cycling through CREATE TABLE, ALTER TABLE
/// ADD COLUMN, CREATE INDEX, INSERT and UPDATE. Deterministic: the same arguments give the same bytes.
/// </summary>
public static class RepositoryGenerator
{
    /// <summary>Writes the repository under <paramref name="root"/> and returns the files in run order.</summary>
    public static IReadOnlyList<string> Generate(string root, int versions, int filesPerVersion, int rowsPerInsert = 200)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, true);
        }
        Directory.CreateDirectory(root);
        // A database starts from a schema snapshot: an empty one at 0.0, so both sides run the same SQL.
        Directory.CreateDirectory(Path.Combine(root, "0.0"));
        File.WriteAllText(Path.Combine(root, "0.0", ".empty"), "");
        Directory.CreateDirectory(Path.Combine(root, "schemas"));
        File.WriteAllText(Path.Combine(root, "schemas", "schema_0.0.sql"), "-- empty schema: the benchmark starts from an empty database\n");
        var files = new List<string>();
        for (var v = 1; v <= versions; v++)
        {
            var version = $"{v}.0";
            var folder = Path.Combine(root, version);
            Directory.CreateDirectory(folder);
            for (var j = 0; j < filesPerVersion; j++)
            {
                var table = $"t_{v}_{j / 5}";
                var (kind, action, body) = (j % 5) switch
                {
                    0 => ("ddl", "create", $"CREATE TABLE {table} (\n    id bigserial PRIMARY KEY,\n    label text NOT NULL,\n    amount numeric(12,2) NOT NULL DEFAULT 0,\n    created_at timestamptz NOT NULL DEFAULT now()\n);"),
                    1 => ("ddl", "add-column", $"ALTER TABLE {table} ADD COLUMN status text NOT NULL DEFAULT 'new';\nALTER TABLE {table} ADD COLUMN note text;"),
                    2 => ("ddl", "index", $"CREATE INDEX {table}_label_idx ON {table} (label);\nCREATE INDEX {table}_status_idx ON {table} (status, created_at);"),
                    3 => ("dml", "insert", $"INSERT INTO {table} (label, amount)\nSELECT 'row ' || g, g * 1.5\nFROM generate_series(1, {rowsPerInsert.ToString(CultureInfo.InvariantCulture)}) AS g;"),
                    _ => ("dml", "update", $"UPDATE {table} SET status = 'done', note = 'migrated in {version}' WHERE id % 2 = 0;\nUPDATE {table} SET amount = amount * 2 WHERE status = 'new';"),
                };
                var name = $"{version}-{j:00}-{action}-{table.Replace('_', '-')}-{kind}.sql";
                var path = Path.Combine(folder, name);
                var text = new StringBuilder()
                    .Append("BEGIN;\n\n")
                    .Append("-- ").Append(action).Append(' ').Append(table).Append(" (generated for the benchmark)\n")
                    .Append(body).Append("\n\nCOMMIT;\n")
                    .ToString();
                File.WriteAllText(path, text, new UTF8Encoding(false));
                files.Add(path);
            }
        }
        return files;
    }

    /// <summary>All files concatenated in run order, for the psql baseline (one session, one -f).</summary>
    public static string Concatenate(IReadOnlyList<string> files, string target)
    {
        using var output = File.Create(target);
        foreach (var file in files)
        {
            using var input = File.OpenRead(file);
            input.CopyTo(output);
            output.WriteByte((byte)'\n');
        }
        return target;
    }
}
