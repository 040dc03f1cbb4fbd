using System.Text.Json;

namespace StingOps.Core.Restart;

/// <summary>When a run saw one service's container become ready.</summary>
public sealed record ObservedReadiness(string Service, string ContainerId, DateTimeOffset ReadyAt);

/// <summary>
/// <c>&lt;project&gt;.readiness.json</c> in the private state directory: when StingOps's own probe saw each service it
/// started become ready, per container. Repair judges order by it for the starts StingOps made: its probe passes
/// before the engine's healthcheck next runs (once per interval), so the engine's health log alone would call a
/// dependent started right after that probe early. Starts made by others (a daemon restart) have no entry.
/// Written by the lock holder only; a record it cannot read is no record.
/// </summary>
public static class ReadinessRecord
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, TypeInfoResolver = StateJson.Default };

    public static string PathFor(string stateDirectory, string project) => Path.Combine(stateDirectory, $"{project}.readiness.json");

    public static IReadOnlyDictionary<string, ObservedReadiness> Read(string stateDirectory, string project)
    {
        try
        {
            var entries = JsonSerializer.Deserialize<List<ObservedReadiness>>(File.ReadAllText(PathFor(stateDirectory, project)), Json) ?? [];
            return entries.Where(e => e is { Service: not null, ContainerId: not null })
                .GroupBy(e => e.Service, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return new Dictionary<string, ObservedReadiness>(StringComparer.Ordinal);
        }
    }

    /// <summary>Replaces the entries of the given services, atomically (written beside, then renamed over).</summary>
    public static void Update(string stateDirectory, string project, IReadOnlyCollection<ObservedReadiness> observed)
    {
        if (observed.Count == 0)
            return;
        var merged = new Dictionary<string, ObservedReadiness>(Read(stateDirectory, project), StringComparer.Ordinal);
        foreach (var o in observed)
            merged[o.Service] = o;
        StateDirectory.Ensure(stateDirectory);
        var path = PathFor(stateDirectory, project);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
            JsonSerializer.Serialize(stream, merged.Values.OrderBy(o => o.Service, StringComparer.Ordinal).ToList(), Json);
        File.Move(temporary, path, overwrite: true);
    }
}
