using North.Core.Files;

namespace North.PowerShell.Hosting;

/// <summary>
/// What the imported module keeps between calls: the facts learned from repository files
/// (classification, manual marker, checksum), so a warm session does not re-read unchanged files.
/// Created with the first call after import and dropped when the module is removed
/// (<see cref="Loading.ModuleInitializer.OnRemove"/>), so a re-import starts cold.
/// </summary>
internal static class ModuleSession
{
    private static readonly object Gate = new();
    private static FileStampCache? _files;

    /// <summary>The session's file facts.</summary>
    public static FileStampCache Files
    {
        get
        {
            lock (Gate)
            {
                return _files ??= new FileStampCache();
            }
        }
    }

    /// <summary>Forgets everything: the module is being removed.</summary>
    public static void End()
    {
        lock (Gate)
        {
            _files?.Clear();
            _files = null;
        }
    }
}
