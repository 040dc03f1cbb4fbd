namespace StingOps.Core.Tests.Configuration;

/// <summary>A config.yml written to a temp directory for one test.</summary>
internal sealed class ConfigFile : IDisposable
{
    public ConfigFile(string yaml)
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "stingops-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, "config.yml");
        File.WriteAllText(Path, yaml.ReplaceLineEndings("\n"));
    }

    public string Directory { get; }
    public string Path { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
