using System.Management.Automation;
using StingOps.Core.Metrics;

namespace StingOps.Commands;

/// <summary>
/// <para type="synopsis">Evaluates the restart alert rules over recorded restarts.</para>
/// <para type="description">Returns one StingOps.RestartAlert per rule, in a fixed order, triggered or not:
/// RestartTooSlow (a run, or a shell-recorded restart, longer than alerts.slow_restart, default 5m, or a run more
/// than twice as long as the estimate it recorded and at least 10 s longer),
/// ServiceFailedAfterRestart (any Failed or RolledBack restart), DependencyChainBroken (a service skipped or
/// failed because a dependency did not come back), RepeatedFailures (more than alerts.repeated_failures
/// failures, default 3, in alerts.repeated_failures_window, default 24h) and EnvironmentValidationFailed.
/// Thresholds come from restart_configuration.alerts in the project's config.yml; without a project, the
/// defaults apply. Without -Since, the rules look at the last repeated_failures_window (24h by default).</para>
/// <para type="description">EnvironmentValidationFailed counts, when a project is found, the Error findings
/// of validating now the env_file entries of the project's enabled services (required files missing,
/// syntax errors, required_env keys missing or empty; each distinct finding once even when files are
/// shared), plus the recorded runs refused by prerequisite checks. Without a project only the recorded
/// runs count. Warning-level findings do not count.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "StingRestartAlert")]
[OutputType(typeof(RestartAlert))]
public sealed class TestStingRestartAlertCommand : StingMetricCmdlet
{
    /// <summary>Only restarts recorded at or after this time. Default: the repeated-failures window before now.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>A metrics directory or one metrics file. Default: the resolved metrics directory.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    private protected override bool LoadsCompose => true;

    protected override void EndProcessing()
    {
        var context = Context;
        var records = ReadRecords(Path, new MetricQuery());
        var envFailures = CountEnvironmentFailures(context);
        DateTimeOffset? since = Since is { } s
            ? new DateTimeOffset(s.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(s, DateTimeKind.Local) : s)
            : null;
        var results = AlertEvaluator.Evaluate(records, context.Options.Alerts, since, envFailures, TimeProvider.System);
        foreach (var result in results)
            WriteObject(MetricMapper.ToAlert(result));
    }

    private int CountEnvironmentFailures(MetricContext context)
    {
        if (context.Project is not { } project)
        {
            WriteVerbose("No compose project: env files were not validated; EnvironmentValidationFailed counts recorded refused runs only.");
            return 0;
        }
        var environment = EnvironmentSnapshot();
        var findings = Try(() => project.EnvFileErrors(k => environment.GetValueOrDefault(k)));
        foreach (var (service, finding) in findings)
            WriteVerbose($"Env file finding ({service}): {finding}");
        return findings.Count;
    }
}
