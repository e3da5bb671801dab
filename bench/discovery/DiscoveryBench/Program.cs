using System.Diagnostics;
using North.Core.Repository;
using North.Core.Settings;

// Generates a repository of 500 versions x 20 files (10,000 migrations: ddl, dml with and
// without a --meta-psql: marker, manual/), then measures MigrationRepository.Load and the
// repository check: wall time, managed allocations, and bytes read from files (Linux rchar).
var versions = args.Length > 0 ? int.Parse(args[0]) : 500;
var root = Path.Combine(Path.GetTempPath(), "north-discovery-bench-" + Environment.ProcessId);
try
{
    var (files, bytes, dmlBytes) = Generate(root, versions);
    Console.WriteLine($"repository: {versions} versions, {files} files, {bytes / 1024 / 1024.0:F1} MiB ({dmlBytes / 1024 / 1024.0:F1} MiB in root-folder dml files)");
    var settings = new NorthSettings { MigrationsRoot = root };
    MigrationRepository.Load(settings); // warm up JIT and the OS cache

    Console.WriteLine($"{"operation",-22} {"ms",8} {"alloc MiB",10} {"read MiB",9}");
    Measure("Load (discovery)", () => MigrationRepository.Load(settings).Migrations.Count());
    Measure("RepositoryCheck.Run", () => RepositoryCheck.Run(settings).Count);
}
finally
{
    Directory.Delete(root, recursive: true);
}

static void Measure(string name, Func<int> action)
{
    var readBefore = ReadBytes();
    var allocBefore = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    action();
    watch.Stop();
    var alloc = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
    var read = ReadBytes() - readBefore;
    Console.WriteLine($"{name,-22} {watch.Elapsed.TotalMilliseconds,8:F0} {alloc / 1024 / 1024.0,10:F1} {(read < 0 ? "n/a" : (read / 1024 / 1024.0).ToString("F1")),9}");
}

// rchar: bytes this process asked read() for (Linux); -1 elsewhere.
static long ReadBytes()
{
    const string io = "/proc/self/io";
    if (!File.Exists(io))
    {
        return -1;
    }
    var line = File.ReadLines(io).First(l => l.StartsWith("rchar:"));
    return long.Parse(line["rchar:".Length..].Trim());
}

static (int Files, long Bytes, long DmlBytes) Generate(string root, int versions)
{
    var statement = "UPDATE account SET balance = balance * 1.01 WHERE id BETWEEN 1 AND 1000; -- padding padding padding\n";
    var body = string.Concat(Enumerable.Repeat(statement, 40)); // ~4 KiB
    var bigBody = string.Concat(Enumerable.Repeat(statement, 2000)); // ~200 KiB
    int files = 0;
    long bytes = 0, dmlBytes = 0;
    void Write(string path, string text, bool rootDml)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        files++;
        bytes += text.Length;
        if (rootDml) dmlBytes += text.Length;
    }
    for (var v = 0; v < versions; v++)
    {
        var version = $"{v / 100}.{v % 100}";
        var folder = Path.Combine(root, version);
        for (var i = 0; i < 20; i++)
        {
            var name = $"{version}-feature-{i:D2}";
            switch (i % 5)
            {
                case 0: Write(Path.Combine(folder, name + "-ddl.sql"), "BEGIN;\n" + body + "COMMIT;\n", false); break;
                case 1: Write(Path.Combine(folder, name + "-dml.sql"), "--meta-psql:do-until-0\n" + (v % 10 == 0 ? bigBody : body) + "--meta-psql:done\n", true); break;
                case 2: Write(Path.Combine(folder, name + "-dml.sql"), body + "--meta-psql:do-until-0\nDELETE FROM t;\n--meta-psql:done\n", true); break;
                case 3: Write(Path.Combine(folder, name + "-dml.sql"), i == 3 && v % 10 == 0 ? bigBody : body, true); break;
                default: Write(Path.Combine(folder, "manual", name + "-dml.sql"), "--meta-psql:do-until-0\n" + body + "--meta-psql:done\n", false); break;
            }
        }
    }
    return (files, bytes, dmlBytes);
}
