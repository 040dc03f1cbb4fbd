using StingOps.Core.Common;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// Top-level <c>include:</c>: each entry is loaded as a project of its own (own project directory and .env, paths
/// relative to it) and its services, networks, volumes, secrets and configs are added to the including document;
/// where the including document also defines one, its definition is merged over the imported one.
/// </summary>
internal sealed class IncludeResolver(LoadSession session, Func<string, string?> lookup)
{
    private static readonly string[] ImportedSections = ["services", "networks", "volumes", "secrets", "configs"];

    public YMapping Apply(YMapping document, string file, string workingDirectory, IReadOnlyList<string> chain)
    {
        if (!document.TryGet("include", out var include)) return document;
        var items = include.Value switch
        {
            YSequence s => s.Items,
            YScalar { IsNull: true } => [],
            var other => throw ComposeErrors.Invalid(other.Mark, "include must be a list"),
        };

        foreach (var item in items)
            document = Import(document, Load(item, file, workingDirectory, chain));
        return new YMapping(document.Entries.Where(e => e.Name != "include").ToList(), document.Mark, document.Tag);
    }

    private YMapping Load(YNode item, string file, string workingDirectory, IReadOnlyList<string> chain)
    {
        YNode? pathNode, directoryNode = null, envFileNode = null;
        if (item is YMapping m)
        {
            pathNode = m.Get("path");
            directoryNode = m.Get("project_directory");
            envFileNode = m.Get("env_file");
        }
        else pathNode = item;

        var paths = Strings(pathNode, "include path").Select(p => (Path: Path.GetFullPath(p.Value, workingDirectory), p.Mark)).ToList();
        if (paths.Count == 0) throw ComposeErrors.Invalid(item.Mark, "include entry has no path");
        foreach (var (path, mark) in paths)
        {
            if (!File.Exists(path))
                throw new StingException(ErrorIds.ComposeFileNotFound, StingErrorKind.ObjectNotFound,
                    $"{mark}: included compose file {path} does not exist.", target: path);
        }
        var main = paths[0].Path;
        if (chain.Contains(main))
            throw ComposeErrors.Invalid(item.Mark, $"include cycle: {string.Join(" -> ", chain)} -> {main}");

        var projectDirectory = directoryNode is YScalar { IsNull: false } dir
            ? Path.GetFullPath(dir.Value, workingDirectory)
            : Path.GetDirectoryName(main)!;

        var envFiles = envFileNode is null
            ? [Path.Combine(projectDirectory, ".env")]
            : Strings(envFileNode, "include env_file").Select(e => Path.GetFullPath(e.Value, workingDirectory)).ToList();
        var includedEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var envFile in envFiles)
            foreach (var (key, value) in DotEnvFile.Read(envFile))
                includedEnvironment[key] = value;

        // The including project's environment wins over the included project's env files.
        string? Lookup(string name) => lookup(name) ?? includedEnvironment.GetValueOrDefault(name);
        var model = new ModelAssembler(session, projectDirectory, Lookup, [.. chain, file])
            .Assemble(paths.Select(p => p.Path).ToList());
        if (model.Get("services") is YMapping services)
        {
            var resolved = EnvFilePaths.ResolveServices(services, projectDirectory);
            model = new YMapping(model.Entries.Select(e => e.Name == "services" ? e with { Value = resolved } : e).ToList(), model.Mark);
        }
        return model;
    }

    private static YMapping Import(YMapping document, YMapping imported)
    {
        foreach (var section in ImportedSections)
        {
            if (imported.Get(section) is not YMapping from) continue;
            var to = document.Get(section) as YMapping ?? new YMapping([], from.Mark);
            var merged = ComposeMerger.MergeMappings(from, to,
                (_, theirs, ours) => section == "services" ? ComposeMerger.MergeService(theirs, ours) : ComposeMerger.Generic(theirs, ours));
            var entries = document.Entries.ToList();
            var at = document.IndexOf(section);
            if (at >= 0) entries[at] = entries[at] with { Value = merged };
            else entries.Add(new YEntry(new YScalar(section, true, from.Mark), merged));
            document = new YMapping(entries, document.Mark, document.Tag);
        }
        return document;
    }

    private static IReadOnlyList<YScalar> Strings(YNode? node, string what) => node switch
    {
        null or YScalar { IsNull: true } => [],
        YScalar s => [s],
        YSequence list => list.Items.Select(i => i as YScalar ?? throw ComposeErrors.Invalid(i.Mark, $"{what} must be a string")).ToList(),
        _ => throw ComposeErrors.Invalid(node.Mark, $"{what} must be a string or a list of strings"),
    };
}
