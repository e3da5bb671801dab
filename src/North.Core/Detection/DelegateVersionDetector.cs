using North.Core.Errors;
using North.Core.Versions;

namespace North.Core.Detection;

/// <summary>
/// A detector given as a function; the PowerShell layer adapts a script block to it. The function
/// returns the version as text (null or empty: not initialized), which is parsed here so a bad
/// answer gets the same clear error whatever wrote it.
/// </summary>
public sealed class DelegateVersionDetector : IVersionDetector
{
    private readonly Func<VersionDetectionContext, CancellationToken, Task<string?>> _detect;

    public DelegateVersionDetector(Func<VersionDetectionContext, CancellationToken, Task<string?>> detect, string name = "Custom")
    {
        _detect = detect;
        Name = name;
    }

    public string Name { get; }

    public async Task<MigrationVersion?> DetectAsync(VersionDetectionContext context, CancellationToken cancel = default)
    {
        var text = (await _detect(context, cancel).ConfigureAwait(false))?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (!MigrationVersion.TryParse(text, out var version, out var reason))
        {
            throw new NorthException($"The version detector \"{Name}\" answered \"{text}\", which is not a version: {reason}.",
                ErrorIds.VersionUndetectable, NorthErrorKind.InvalidData, Name, "Make the detector return a version such as 1.2, or nothing when the database is not initialized.");
        }
        return version;
    }
}
