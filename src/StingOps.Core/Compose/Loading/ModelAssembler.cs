using StingOps.Core.Compose.Interpolation;
using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// Turns the files of one project (the main one, or one pulled in by <c>include:</c>) into one merged tree, in
/// compose's order for each YAML document: record <c>!reset</c>/<c>!override</c>, interpolate, resolve
/// <c>include</c>, apply the resets to what earlier documents built, resolve <c>extends</c>, merge.
/// </summary>
internal sealed class ModelAssembler
{
    private readonly LoadSession _session;
    private readonly string _workingDirectory;
    private readonly Func<string, string?> _lookup;
    private readonly IReadOnlyList<string> _includeChain;
    private readonly TreeInterpolator _interpolator;

    public ModelAssembler(LoadSession session, string workingDirectory, Func<string, string?> lookup, IReadOnlyList<string> includeChain)
    {
        _session = session;
        _workingDirectory = workingDirectory;
        _lookup = lookup;
        _includeChain = includeChain;
        _interpolator = new TreeInterpolator(lookup, session.UnsetVariable);
    }

    public YMapping Assemble(IReadOnlyList<string> files)
    {
        var model = new YMapping([], new SourceMark(files.Count > 0 ? files[0] : _workingDirectory, 1, 1));
        foreach (var file in files)
            foreach (var document in _session.Parse(file))
                model = MergeDocument(model, document, file);
        return model;
    }

    private YMapping MergeDocument(YMapping model, YamlDocumentTree document, string file)
    {
        // An empty document adds nothing (compose skips an empty file the same way).
        if (document.Root is null or YScalar { IsNull: true }) return model;
        if (document.Root is not YMapping root)
            throw ComposeErrors.Invalid(document.Root.Mark, $"the top level must be a mapping, not {document.Root.KindName}");

        IReadOnlyList<string[]> resetPaths = [];
        if (document.HasResetTags) (root, resetPaths) = ResetTags.Strip(root);
        root = (YMapping)_interpolator.Interpolate(root);
        root = new IncludeResolver(_session, _lookup).Apply(root, file, _workingDirectory, _includeChain);
        model = ResetTags.Apply(model, resetPaths);
        root = new ExtendsResolver(_session, _interpolator).Apply(root, file, resetPaths);
        return ComposeMerger.MergeDocuments(model, root);
    }
}
