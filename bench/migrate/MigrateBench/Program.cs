using North.Bench.Migrate;

// dotnet run --project bench/migrate/MigrateBench -c Release -- generate <folder> [versions] [filesPerVersion]
// dotnet run --project bench/migrate/MigrateBench -c Release -- run [serverConnectionString] [--rounds 5] [--versions 50] [--files 20]
// The server connection string defaults to NORTH_TEST_CONNECTION (a superuser on the maintenance database).
var command = args.Length > 0 ? args[0] : "run";
switch (command)
{
    case "generate":
    {
        var folder = args.Length > 1 ? args[1] : throw new ArgumentException("generate needs a folder");
        var versions = args.Length > 2 ? int.Parse(args[2]) : 50;
        var files = args.Length > 3 ? int.Parse(args[3]) : 20;
        var written = RepositoryGenerator.Generate(folder, versions, files);
        Console.WriteLine($"{written.Count} files in {versions} versions under {folder}");
        return 0;
    }
    case "run":
    {
        var options = BenchOptions.Parse(args.Skip(1).ToArray());
        await new MigrateBenchmark(options).RunAsync();
        return 0;
    }
    default:
        Console.Error.WriteLine($"Unknown command '{command}': use generate or run.");
        return 2;
}
