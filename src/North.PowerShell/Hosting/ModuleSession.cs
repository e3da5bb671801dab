using North.Core.Connections;
using North.Core.Files;

namespace North.PowerShell.Hosting;

/// <summary>
/// What the imported module keeps between calls: the facts learned from repository files
/// (classification, manual marker, checksum), so a warm session does not re-read unchanged files,
/// and the connection pools, so a warm session does not reconnect (or set up Npgsql) each call.
/// Created with the first call after import and dropped when the module is removed
/// (<see cref="Loading.ModuleInitializer.OnRemove"/>), so a re-import starts cold.
/// </summary>
internal static class ModuleSession
{
    private static readonly object Gate = new();
    private static FileStampCache? _files;
    private static ConnectionPools? _pools;

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

    /// <summary>The session's connection pools.</summary>
    public static ConnectionPools Pools
    {
        get
        {
            lock (Gate)
            {
                return _pools ??= new ConnectionPools();
            }
        }
    }

    /// <summary>Forgets everything and closes the pooled sessions: the module is being removed.</summary>
    public static void End()
    {
        ConnectionPools? pools;
        lock (Gate)
        {
            _files?.Clear();
            _files = null;
            pools = _pools;
            _pools = null;
        }
        pools?.Dispose();
    }
}
