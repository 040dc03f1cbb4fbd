using StingOps.Core.Compose;

namespace StingOps.Core.Tests.Compose;

/// <summary>A throw-away project directory with files written by the test, and shortcuts to locate and load it.</summary>
internal sealed class TempProject : IDisposable
{
    public TempProject(string name = "proj")
    {
        Root = Path.Combine(Path.GetTempPath(), "stingops-tests", Guid.NewGuid().ToString("N"));
        Directory = Path.Combine(Root, name);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Root { get; }

    /// <summary>The project directory (a child of <see cref="Root"/>, so its name is under the test's control).</summary>
    public string Directory { get; }

    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        return path;
    }

    public string PathOf(string relativePath) => Path.GetFullPath(Path.Combine(Directory, relativePath));

    public ProjectRequest Request(params string[] files) =>
        new(files.Length == 0 ? null : files, null, null, null, null, Directory);

    public ProjectLocation Locate(ProjectRequest? request = null) =>
        ProjectLocator.Locate(request ?? Request(), Environment);

    public ComposeProject Load(ProjectRequest? request = null) => ComposeLoader.Load(Locate(request), Environment);

    /// <summary>Writes compose.yaml and loads it.</summary>
    public ComposeProject LoadYaml(string yaml)
    {
        Write("compose.yaml", yaml);
        return Load();
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}
