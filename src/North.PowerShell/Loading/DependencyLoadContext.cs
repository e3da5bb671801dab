using System.Reflection;
using System.Runtime.Loader;

namespace North.PowerShell.Loading;

/// <summary>
/// The load context for North.Core and everything it needs (Npgsql first of all), read from the
/// module's <c>Dependencies/</c> folder. Another module's Npgsql, loaded in the default context,
/// is never used by North, and ours never leaks to it.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private static readonly Dictionary<string, Version?> FrameworkAssemblies = ReadFrameworkAssemblies();

    private readonly string _folder;

    public DependencyLoadContext(string folder)
        : base("North", isCollectible: false)
    {
        _folder = folder;
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
            && FrameworkAssemblies.TryGetValue(name.Name, out var shipped)
            && shipped is not null
            && (name.Version is null || shipped >= name.Version))
        {
            // The framework PowerShell runs on ships this assembly at a sufficient version
            // (System.Text.Json, Microsoft.Extensions.* on newer runtimes): use its copy, as a
            // second copy of a framework assembly would make its types mismatch.
            return null;
        }
        return LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) => IntPtr.Zero;

    private static Dictionary<string, Version?> ReadFrameworkAssemblies()
    {
        var result = new Dictionary<string, Version?>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string list)
        {
            return result;
        }
        foreach (var file in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                var assemblyName = AssemblyName.GetAssemblyName(file);
                if (assemblyName.Name is not null)
                {
                    result[assemblyName.Name] = assemblyName.Version;
                }
            }
            catch (BadImageFormatException)
            {
                // Native or reference-only files on the list: not assemblies we could defer to.
            }
        }
        return result;
    }
}
