using System.Reflection;
using System.Runtime.Loader;

namespace North.PowerShell.Loading;

/// <summary>
/// The load context for North.Core and everything it needs (Npgsql first of all), read from the
/// module's <c>Dependencies/</c> folder. Another module's Npgsql, loaded in the default context,
/// is never used by North, and ours never leaks to it. Where build.ps1 left ReadyToRun images for
/// this runtime and platform (<c>Dependencies/net10.0-linux-x64/</c>: the same assemblies with
/// native code added), those load instead: an image made for another platform would not load at
/// all, so the portable IL in <c>Dependencies/</c> serves every other runtime and platform.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _folder;

    // e.g. net10.0-linux-x64: build.ps1's name for the images this runtime can use.
    private readonly string _nativeFolder;

    // The runtime's own list, by file name (the runtime finds them by that name too); an entry's
    // version is read only when one of ours has that name, not for every assembly at import.
    private readonly Dictionary<string, string> _frameworkFiles = ReadFrameworkFiles();

    public DependencyLoadContext(string folder)
        : base("North", isCollectible: false)
    {
        _folder = folder;
        _nativeFolder = Path.Combine(folder, $"net{Environment.Version.Major}.0-{System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}");
    }

    protected override Assembly? Load(AssemblyName name)
    {
        var path = Path.Combine(_folder, name.Name + ".dll");
        if (!File.Exists(path))
        {
            // Not ours (System.*, the runtime): the default context resolves it.
            return null;
        }
        if (name.Name is not null
            && FrameworkVersion(name.Name) is { } shipped
            && (name.Version is null || shipped >= name.Version))
        {
            // The framework PowerShell runs on ships this assembly at a sufficient version
            // (System.Text.Json, Microsoft.Extensions.* on newer runtimes): use its copy, as a
            // second copy of a framework assembly would make its types mismatch.
            return null;
        }
        var image = Path.Combine(_nativeFolder, name.Name + ".dll");
        return LoadFromAssemblyPath(File.Exists(image) ? image : path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) => IntPtr.Zero;

    private Version? FrameworkVersion(string name)
    {
        if (!_frameworkFiles.TryGetValue(name, out var file))
        {
            return null;
        }
        try
        {
            var assemblyName = AssemblyName.GetAssemblyName(file);
            return string.Equals(assemblyName.Name, name, StringComparison.OrdinalIgnoreCase) ? assemblyName.Version : null;
        }
        catch (Exception e) when (e is BadImageFormatException or IOException)
        {
            // Native or reference-only files on the list: not assemblies we could defer to.
            return null;
        }
    }

    private static Dictionary<string, string> ReadFrameworkFiles()
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string list)
        {
            return result;
        }
        foreach (var file in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            result.TryAdd(Path.GetFileNameWithoutExtension(file), file);
        }
        return result;
    }
}
