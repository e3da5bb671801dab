using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace North.PowerShell.Loading;

/// <summary>
/// Runs when the module is imported. North.PowerShell.dll is loaded by PowerShell into the default
/// context; when it first needs North.Core, the default context cannot find it (it lives in
/// <c>Dependencies/</c>) and asks this resolver, which loads it into North's own context. Only
/// North.Core enters that way: everything else resolves from North.Core's own context.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependencyFolder = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "Dependencies");

    private static readonly DependencyLoadContext Context = new(DependencyFolder);

    // Imports alive in this process: one per runspace that imported the module (ForEach-Object
    // -Parallel, Start-ThreadJob); the resolver and the session's state go with the last.
    private static int _imports;
    private static readonly object Gate = new();

    public void OnImport()
    {
        lock (Gate)
        {
            if (_imports++ == 0)
            {
                AssemblyLoadContext.Default.Resolving += ResolveCore;
            }
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        lock (Gate)
        {
            if (_imports == 0 || --_imports > 0)
            {
                return; // another runspace still uses the module
            }
            // North.Core was loaded if a call made the session's state; drop it with the module.
            if (Context.Assemblies.Any(a => a.GetName().Name == "North.Core"))
            {
                EndSession();
            }
            AssemblyLoadContext.Default.Resolving -= ResolveCore;
        }
    }

    // Separate method: touching ModuleSession loads North.Core, which must already be loaded here.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void EndSession() => Hosting.ModuleSession.End();

    private static Assembly? ResolveCore(AssemblyLoadContext defaultContext, AssemblyName name) =>
        name.Name == "North.Core" ? Context.LoadFromAssemblyName(name) : null;
}
