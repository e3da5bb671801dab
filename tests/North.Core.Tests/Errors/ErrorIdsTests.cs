using System.Reflection;
using System.Text.RegularExpressions;
using North.Core.Errors;

namespace North.Core.Tests.Errors;

/// <summary>The error-id catalogue: one constant per id, each in README.md, none written as a literal elsewhere.</summary>
public class ErrorIdsTests
{
    private static readonly string[] Ids = typeof(ErrorIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void EveryIdIsUniqueAndLooksLikeAnId()
    {
        Assert.NotEmpty(Ids);
        Assert.Equal(Ids.Length, Ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(Ids, id => Assert.Matches("^North[A-Z][A-Za-z]+$", id));
    }

    [Fact]
    public void EveryIdHasARowInTheReadmeCatalogue()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var rows = Regex.Matches(readme, @"^\| (North[A-Z][A-Za-z]+) \|", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        var undocumented = Ids.Where(id => !rows.Contains(id)).ToList();
        Assert.Empty(undocumented);
        // And the README documents no id that does not exist.
        var unknown = rows.Where(row => !Ids.Contains(row)).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void NoIdIsWrittenAsALiteralOutsideTheCatalogue()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var catalogue = Path.Combine(src, "North.Core", "Errors", "ErrorIds.cs");
        var ids = Ids.ToHashSet(StringComparer.Ordinal);
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file);
            if (file == catalogue || relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match m in Regex.Matches(lines[i], "\"(North[A-Z][A-Za-z]+)\""))
                {
                    if (ids.Contains(m.Groups[1].Value))
                    {
                        offenders.Add($"{relative}:{i + 1}: {m.Value}");
                    }
                }
            }
        }
        Assert.Empty(offenders);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "North.PowerShell.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("North.PowerShell.sln not found above " + AppContext.BaseDirectory);
    }
}
