using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace StingOps.Core.Tests.Architecture;

/// <summary>
/// The core's folders are its parts, and each part may use only the parts below it (README, "Architecture").
/// Read from the source: a part's dependencies are the StingOps.Core namespaces its files import or name in full.
/// </summary>
public partial class PartRulesTests
{
    /// <summary>What each part may use. Keep in step with the README's picture.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Common"] = [],
        ["EnvFiles"] = ["Common"],
        ["Compose"] = ["Common", "EnvFiles"],
        ["Configuration"] = ["Common", "Compose"],
        ["Engine"] = ["Common"],
        ["Graph"] = ["Common", "Compose", "Configuration"],
        ["Metrics"] = ["Common", "Configuration"],
        ["Report"] = ["Common", "Graph", "Metrics"],
        ["Drift"] = ["Common", "Compose", "Engine", "EnvFiles"],
        ["Project"] = ["Common", "Compose", "Configuration", "Engine", "EnvFiles", "Graph"],
        ["Health"] = ["Common", "Compose", "Configuration", "Engine", "Graph", "Project"],
        ["Restart"] = ["Common", "Compose", "Configuration", "Drift", "Engine", "Graph", "Health", "Metrics", "Project"],
        ["Swarm"] = ["Common", "Engine", "Graph", "Health", "Restart"],
        ["Preflight"] = ["Common", "Compose", "Configuration", "Drift", "Engine", "EnvFiles", "Graph", "Health", "Project", "Restart", "Swarm"],
        ["UseCases"] = ["Common", "Compose", "Configuration", "Drift", "Engine", "EnvFiles", "Graph", "Health", "Metrics", "Preflight", "Project", "Restart", "Swarm"],
    };

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:\w+\s*=\s*)?StingOps\.Core\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingPart();

    [GeneratedRegex(@"\bStingOps\.Core\.([A-Z]\w*)")]
    private static partial Regex QualifiedPart();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [Fact]
    public void Every_file_is_in_a_part_folder_and_its_namespace_names_that_part()
    {
        var wrong = SourceFiles()
            .Where(f => f.Part is null || !Allowed.ContainsKey(f.Part) || !(f.Namespace == $"StingOps.Core.{f.Part}" || f.Namespace.StartsWith($"StingOps.Core.{f.Part}.", StringComparison.Ordinal)))
            .Select(f => $"{f.RelativePath} (namespace {f.Namespace})")
            .ToList();
        Assert.True(wrong.Count == 0, "files outside a part, or in a namespace not of their folder:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void Each_part_uses_only_the_parts_it_may()
    {
        var violations = new List<string>();
        foreach (var file in SourceFiles().Where(f => f.Part is not null && Allowed.ContainsKey(f.Part)))
            foreach (var used in file.UsedParts.Where(p => p != file.Part && !Allowed[file.Part!].Contains(p)))
                violations.Add($"{file.RelativePath}: {file.Part} uses {used}");
        Assert.True(violations.Count == 0, "part rules broken:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_allowed_uses_have_no_cycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        string? Visit(string part, string path)
        {
            if (state.GetValueOrDefault(part) == 1) return path;
            if (state.GetValueOrDefault(part) == 2) return null;
            state[part] = 1;
            foreach (var next in Allowed[part])
                if (Visit(next, $"{path} -> {next}") is { } cycle) return cycle;
            state[part] = 2;
            return null;
        }
        foreach (var part in Allowed.Keys)
            Assert.Null(Visit(part, part));
    }

    [Theory]
    [InlineData("Compose")]
    [InlineData("Graph")]
    [InlineData("Metrics")]
    [InlineData("Report")]
    public void Offline_parts_use_no_engine_type(string part)
    {
        Assert.DoesNotContain("Engine", Allowed[part]);
        var offenders = SourceFiles().Where(f => f.Part == part && f.UsedParts.Contains("Engine")).Select(f => f.RelativePath);
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_core_knows_nothing_of_PowerShell()
    {
        var references = typeof(StingOps.Core.Common.StingException).Assembly.GetReferencedAssemblies().Select(a => a.Name);
        Assert.DoesNotContain(references, n => n is not null && n.StartsWith("System.Management.Automation", StringComparison.Ordinal));
        var offenders = SourceFiles().Where(f => f.Text.Contains("System.Management.Automation", StringComparison.Ordinal)).Select(f => f.RelativePath);
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_rules_see_the_source()
    {
        // Guards the other tests against passing over an empty or moved tree.
        var parts = SourceFiles().Select(f => f.Part).Distinct().ToList();
        Assert.All(Allowed.Keys, p => Assert.Contains(p, parts));
        Assert.Contains(SourceFiles(), f => f.Part == "Restart" && f.UsedParts.Contains("Health"));
    }

    private sealed record SourceFile(string RelativePath, string? Part, string Namespace, string Text, IReadOnlySet<string> UsedParts);

    private static List<SourceFile> SourceFiles([CallerFilePath] string thisFile = "")
    {
        var core = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "..", "src", "StingOps.Core"));
        Assert.True(Directory.Exists(core), $"source not found at {core}");
        return Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(core, path).Replace('\\', '/'))
            .Where(rel => !rel.StartsWith("obj/", StringComparison.Ordinal) && !rel.StartsWith("bin/", StringComparison.Ordinal))
            .Select(rel =>
            {
                var text = File.ReadAllText(Path.Combine(core, rel));
                var code = WithoutComments(text);
                var slash = rel.IndexOf('/');
                var used = UsingPart().Matches(code).Select(m => m.Groups[1].Value)
                    .Concat(QualifiedPart().Matches(code).Select(m => m.Groups[1].Value))
                    .ToHashSet(StringComparer.Ordinal);
                var ns = Namespace().Match(text) is { Success: true } m ? m.Groups[1].Value : "";
                return new SourceFile(rel, slash < 0 ? null : rel[..slash], ns, text, used);
            })
            .ToList();
    }

    /// <summary>Comments may name any part (a see-also); only code counts.</summary>
    private static string WithoutComments(string text) =>
        Regex.Replace(text, @"//[^\n]*|/\*.*?\*/", "", RegexOptions.Singleline);
}
