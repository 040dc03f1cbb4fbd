using System.Management.Automation;
using StingOps.Core.UseCases;

namespace StingOps.Commands;

/// <summary>
/// -BeforeRestart: the caller's script block as the core's before-restart step. It runs on the pipeline thread in the
/// caller's session (its variables and functions), and fails on a terminating error or a non-zero $LASTEXITCODE.
/// </summary>
internal static class BeforeRestartScript
{
    // The block's errors are merged into its output, which the session masks and shows only when the step fails.
    private const string Runner = """
        param($Step)
        $global:LASTEXITCODE = 0
        $output = & $Step 2>&1 | Out-String -Width 4096
        [pscustomobject]@{ Output = $output; ExitCode = $global:LASTEXITCODE }
        """;

    /// <remarks>A script block cannot be stopped from outside its thread, so no timeout bounds it: it runs until it returns,
    /// and Ctrl+C stops it as it stops any pipeline (before_restart_timeout bounds the config's command).</remarks>
    public static BeforeRestartStep For(StingCmdlet cmdlet, ScriptBlock step) => (_, _) => cmdlet.OnPipelineThread(() => Run(cmdlet, step));

    private static BeforeRestartOutcome Run(StingCmdlet cmdlet, ScriptBlock step)
    {
        try
        {
            var result = cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create(Runner), null, step);
            var report = result.LastOrDefault()?.Properties;
            // Values that came down a pipeline arrive wrapped in a PSObject.
            var output = report?["Output"]?.Value?.ToString() ?? "";
            var exitCode = LanguagePrimitives.TryConvertTo(report?["ExitCode"]?.Value, out int code) ? code : 0;
            return new BeforeRestartOutcome(output, exitCode == 0 ? null : $"exited with code {exitCode}");
        }
        catch (RuntimeException ex)
        {
            return new BeforeRestartOutcome(ex.ErrorRecord?.ToString() ?? ex.Message, $"failed: {ex.Message}");
        }
    }
}
