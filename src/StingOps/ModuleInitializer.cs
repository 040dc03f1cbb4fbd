using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace StingOps;

/// <summary>
/// Loads StingOps.Core and its dependencies (YamlDotNet, Docker.DotNet, Polly, ...) from the module's
/// Dependencies folder into a private load context, so other modules' copies of those libraries
/// (powershell-yaml ships YamlDotNet) never clash with ours. Only StingOps.Core is resolved from the
/// default context; everything else it needs is found by the private context itself.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependencyDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "Dependencies");

    private static readonly DependencyLoadContext Context = new(DependencyDirectory);

    public void OnImport() => AssemblyLoadContext.Default.Resolving += ResolveCore;

    public void OnRemove(PSModuleInfo module) => AssemblyLoadContext.Default.Resolving -= ResolveCore;

    private static Assembly? ResolveCore(AssemblyLoadContext defaultContext, AssemblyName name) =>
        name.Name == "StingOps.Core" ? Context.LoadFromAssemblyName(name) : null;

    private sealed class DependencyLoadContext(string directory) : AssemblyLoadContext("StingOps.Dependencies")
    {
        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.Combine(directory, name.Name + ".dll");
            // Assemblies we do not ship (the runtime's, PowerShell's) come from the default context.
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
