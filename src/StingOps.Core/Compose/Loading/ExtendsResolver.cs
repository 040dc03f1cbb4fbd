using StingOps.Core.Common;
using StingOps.Core.Compose.Interpolation;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// <c>extends</c>: a service starts from another one (in the same document, or in another file) and is merged over
/// it with the usual merge rules, as compose-go does. The base is looked up in the same document, as compose does,
/// so an override file cannot extend a service that only its base file defines.
/// </summary>
internal sealed class ExtendsResolver
{
    private readonly LoadSession _session;
    private readonly TreeInterpolator _interpolator;
    private readonly Dictionary<string, ServicesScope> _otherFiles = new(StringComparer.Ordinal);

    public ExtendsResolver(LoadSession session, TreeInterpolator interpolator)
    {
        _session = session;
        _interpolator = interpolator;
    }

    private sealed class ServicesScope(string file, YMapping services)
    {
        public string File { get; } = file;
        public YMapping Services { get; } = services;
        public Dictionary<string, YNode> Resolved { get; } = new(StringComparer.Ordinal);
    }

    public YMapping Apply(YMapping document, string file, IReadOnlyList<string[]> resetPaths)
    {
        if (!document.TryGet("services", out var servicesEntry) || servicesEntry.Value is not YMapping services) return document;
        if (!services.Entries.Any(e => e.Value is YMapping m && m.IndexOf("extends") >= 0)) return document;

        var scope = new ServicesScope(file, services);
        var entries = services.Entries
            .Select(e => e with { Value = Resolve(e.Name, scope, [], resetPaths) })
            .ToList();
        var resolved = new YMapping(entries, services.Mark, services.Tag);
        return new YMapping(document.Entries.Select(e => e.Name == "services" ? e with { Value = resolved } : e).ToList(),
            document.Mark, document.Tag);
    }

    private YNode Resolve(string name, ServicesScope scope, List<string> chain, IReadOnlyList<string[]> resetPaths)
    {
        if (scope.Resolved.TryGetValue(name, out var done)) return done;
        var service = scope.Services.Get(name)!;
        if (service is not YMapping body || !body.TryGet("extends", out var extends)) return service;

        var (baseName, baseFile) = ReadExtends(extends, name);
        var link = $"{name} in {scope.File}";
        if (chain.Contains(link))
            throw ComposeErrors.Invalid(extends.Value.Mark, $"extends cycle: {string.Join(" -> ", chain)} -> {link}", name);
        chain.Add(link);

        var baseScope = scope;
        if (baseFile is not null)
        {
            var path = Path.GetFullPath(baseFile.Value, Path.GetDirectoryName(scope.File)!);
            baseScope = OtherFile(path, baseFile, name);
        }
        if (baseScope.Services.Get(baseName.Value) is null)
            throw ComposeErrors.Invalid(baseName.Mark,
                $"cannot extend service \"{baseName.Value}\": it is not defined in {baseScope.File}", name);

        var baseService = Resolve(baseName.Value, baseScope, chain, ReferenceEquals(baseScope, scope) ? resetPaths : []);
        chain.RemoveAt(chain.Count - 1);

        // !reset / !override on the extending service also remove what the base brings.
        if (baseService is YMapping baseBody)
            baseService = ResetTags.Apply(baseBody, ResetTags.Below(resetPaths, "services", name));
        var merged = ComposeMerger.MergeService(baseService, body);
        if (merged is YMapping m)
            merged = new YMapping(m.Entries.Where(e => e.Name != "extends").ToList(), body.Mark, body.Tag);
        scope.Resolved[name] = merged;
        return merged;
    }

    private static (YScalar Service, YScalar? File) ReadExtends(YEntry extends, string service)
    {
        switch (extends.Value)
        {
            case YScalar { IsNull: false } s:
                return (s, null);
            case YMapping m when m.Get("service") is YScalar { IsNull: false } s:
                var file = m.Get("file");
                if (file is not null and not YScalar)
                    throw ComposeErrors.Invalid(file.Mark, "extends.file must be a path", service);
                return (s, file is YScalar { IsNull: false } f ? f : null);
            default:
                throw ComposeErrors.Invalid(extends.Value.Mark,
                    "extends must be a service name or a mapping with \"service\" (and optionally \"file\")", service);
        }
    }

    private ServicesScope OtherFile(string path, YScalar reference, string service)
    {
        if (_otherFiles.TryGetValue(path, out var scope)) return scope;
        if (!File.Exists(path))
            throw new StingException(ErrorIds.ComposeFileNotFound, StingErrorKind.ObjectNotFound,
                $"{reference.Mark}: service \"{service}\" extends a service in {path}, which does not exist.", target: path);

        var services = new YMapping([], new SourceMark(path, 1, 1));
        foreach (var document in _session.Parse(path))
        {
            if (document.Root is not YMapping root) continue;
            if (document.HasResetTags) root = ResetTags.Strip(root).Document;
            root = (YMapping)_interpolator.Interpolate(root);
            if (root.Get("services") is YMapping more) services = (YMapping)ComposeMerger.MergeServices(services, more);
        }
        // Relative paths in the other file are relative to that file, not to our project.
        scope = new ServicesScope(path, EnvFilePaths.ResolveServices(services, Path.GetDirectoryName(path)!));
        _otherFiles[path] = scope;
        return scope;
    }
}
