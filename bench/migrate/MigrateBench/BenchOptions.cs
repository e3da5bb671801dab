namespace North.Bench.Migrate;

/// <summary>Command-line options of <c>run</c>.</summary>
public sealed record BenchOptions(string ServerConnectionString, int Rounds, int Versions, int FilesPerVersion, string WorkFolder, bool StatusOnly = false)
{
    public static BenchOptions Parse(string[] args)
    {
        string? server = null;
        var rounds = 5;
        var versions = 50;
        var files = 20;
        string? work = null;
        var statusOnly = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i]); break;
                case "--versions": versions = int.Parse(args[++i]); break;
                case "--files": files = int.Parse(args[++i]); break;
                case "--work": work = args[++i]; break;
                case "--status-only": statusOnly = true; break;
                default: server = args[i]; break;
            }
        }
        server ??= Environment.GetEnvironmentVariable("NORTH_TEST_CONNECTION")
                   ?? throw new ArgumentException("Give the server connection string, or set NORTH_TEST_CONNECTION.");
        work ??= Path.Combine(Path.GetTempPath(), "north-bench-migrate");
        return new BenchOptions(server, rounds, versions, files, work, statusOnly);
    }
}
