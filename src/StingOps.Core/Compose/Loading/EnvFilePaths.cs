using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// Makes <c>env_file</c> paths absolute. Paths in the main files are relative to the project directory, but a
/// service that comes from an included project or is extended from another file keeps paths relative to that file,
/// so those are resolved as soon as they are loaded.
/// </summary>
internal static class EnvFilePaths
{
    public static YMapping ResolveServices(YMapping services, string baseDirectory)
    {
        var entries = services.Entries.Select(e => e with { Value = ResolveService(e.Value, baseDirectory) }).ToList();
        return new YMapping(entries, services.Mark, services.Tag);
    }

    public static YNode ResolveService(YNode service, string baseDirectory)
    {
        if (service is not YMapping body || !body.TryGet("env_file", out var envFile)) return service;
        var resolved = envFile.Value switch
        {
            YScalar s => Resolve(s, baseDirectory),
            YSequence list => new YSequence(list.Items.Select(i => ResolveItem(i, baseDirectory)).ToList(), list.Mark, list.Tag),
            var other => other,
        };
        var entries = body.Entries.Select(e => e.Name == "env_file" ? e with { Value = resolved } : e).ToList();
        return new YMapping(entries, body.Mark, body.Tag);
    }

    private static YNode ResolveItem(YNode item, string baseDirectory)
    {
        if (item is YScalar s) return Resolve(s, baseDirectory);
        if (item is YMapping m && m.Get("path") is YScalar path)
        {
            var entries = m.Entries.Select(e => e.Name == "path" ? e with { Value = Resolve(path, baseDirectory) } : e).ToList();
            return new YMapping(entries, m.Mark, m.Tag);
        }
        return item;
    }

    private static YNode Resolve(YScalar path, string baseDirectory) =>
        path.IsNull || Path.IsPathRooted(path.Value) ? path : path.WithValue(Path.GetFullPath(path.Value, baseDirectory));
}
