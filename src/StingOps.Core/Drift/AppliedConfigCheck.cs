using StingOps.Core.Compose;
using StingOps.Core.Compose.Cli;
using StingOps.Core.Engine;

namespace StingOps.Core.Drift;

/// <summary>
/// How a recreate proves its new container carries the change: compose v2's config-hash label must equal what
/// <c>config --hash</c> said before the run where that hash is exact; otherwise the model must be in the container
/// as the drift check computes it (environment and image; on v2 also labels, command, entrypoint, healthcheck test).
/// A new container that does not pass is not a success, however ready.
/// </summary>
public sealed class AppliedConfigCheck
{
    private readonly string? _configHash;
    private readonly ComposeService? _model;
    private readonly Func<string, string?> _shellEnvironment;
    private readonly bool _settings;

    private AppliedConfigCheck(string? configHash, ComposeService? model, Func<string, string?> shellEnvironment, bool settings = false)
    {
        _settings = settings;
        _configHash = configHash;
        _model = model;
        _shellEnvironment = shellEnvironment;
    }

    public static AppliedConfigCheck ByConfigHash(string expectedHash) => new(expectedHash, null, _ => null);

    /// <param name="settings">Also labels, command, entrypoint and healthcheck test (judged on v2-made containers).</param>
    public static AppliedConfigCheck ByModel(ComposeService model, Func<string, string?> shellEnvironment, bool settings = false) =>
        new(null, model, shellEnvironment, settings);

    /// <summary>Null when the container carries the expected configuration; else what did not apply (names, never values).</summary>
    public string? FindUnapplied(ContainerDetails container)
    {
        if (_configHash is not null)
        {
            return container.Labels.GetValueOrDefault(ComposeGenerations.ConfigHashLabel) == _configHash
                ? null
                : "its compose config hash is not the one 'config --hash' computed for the compose file";
        }
        var drift = DriftDetector.Detect(_model!, container, _shellEnvironment);
        var parts = new List<string>();
        if (drift.ChangedKeys.Count > 0)
            parts.Add($"environment key(s) {string.Join(", ", drift.ChangedKeys)}");
        if (drift.ImageChanged)
            parts.Add($"image '{drift.ExpectedImage}' (it runs '{drift.ActualImage}')");
        if (_settings && drift.ChangedSettings.Count > 0)
            parts.Add(string.Join(", ", drift.ChangedSettings));
        return parts.Count == 0 ? null : $"{string.Join(" and ", parts)} of the compose file did not apply";
    }
}
