using System.Text.Json;
using North.Core.Settings;

namespace North.Core.Tests.Settings;

/// <summary>The published north.json schema and the loader accept the same keys.</summary>
public class NorthSchemaFileTests
{
    private static string SchemaPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "North.Core", "Settings", "north.schema.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("src/North.Core/Settings/north.schema.json not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void SchemaListsExactlyTheKeysTheLoaderAccepts()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(SchemaPath()));
        var root = schema.RootElement;
        Assert.False(root.GetProperty("additionalProperties").GetBoolean());
        var inSchema = root.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);

        var accepted = new List<string> { "$schema" };
        var rejected = new List<string>();
        foreach (var property in typeof(NorthSettings).GetProperties().Where(p => p.CanWrite).Select(p => p.Name))
        {
            using var temp = new North.Core.Tests.Repository.TempFolder();
            temp.Write("north.json", $"{{ \"{property}\": null }}");
            var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(new SettingsOverrides { MigrationsRoot = temp.Path }, temp.Path, new Dictionary<string, string>()));
            // A known key fails on its null value; a refused one says why it is refused.
            (e.Message.Contains("is null") ? accepted : rejected).Add(property);
        }

        Assert.Equal(accepted.Order(StringComparer.Ordinal), inSchema);
        Assert.Equal(["ConnectionString", "MigrationsRoot", "Password", "Sources"], rejected.Order(StringComparer.Ordinal));
    }
}
