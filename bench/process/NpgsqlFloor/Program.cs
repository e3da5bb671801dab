using Npgsql;

// dotnet NpgsqlFloor.dll <connection string> <repository>
// Applies a bench/migrate repository as the thinnest .NET client would: the version folders in
// version order (0.0, the empty snapshot, skipped), each folder's .sql files in name order (the
// generator's run order), each file's whole text as one command on one session. No history, no
// lock, no checks: what is left is Npgsql's and the runtime's own cost per file.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: NpgsqlFloor <connection string> <repository>");
    return 2;
}
var files = Directory.GetDirectories(args[1])
    .Select(folder => (folder, version: Version.TryParse(Path.GetFileName(folder), out var v) ? v : null))
    .Where(entry => entry.version is not null && entry.version > new Version(0, 0))
    .OrderBy(entry => entry.version)
    .SelectMany(entry => Directory.GetFiles(entry.folder, "*.sql").Order(StringComparer.Ordinal))
    .ToList();
await using var source = NpgsqlDataSource.Create(args[0]);
await using var connection = await source.OpenConnectionAsync();
foreach (var file in files)
{
    await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(file), connection);
    await command.ExecuteNonQueryAsync();
}
Console.WriteLine($"{files.Count} files applied");
return 0;
