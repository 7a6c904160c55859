using PerfSage.Cli;

namespace PerfSage.Cli.Tests;

/// <summary>Runs the CLI in-process with captured stdout and stderr.</summary>
internal static class CliRunner
{
    /// <summary>Runs <paramref name="args"/> with an empty environment as the CLI reads it (<c>CliContext.Environment</c>):
    /// tests run alike on a GitHub runner (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY set) and elsewhere.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = PerfSageApp.Run(args, stdout, stderr, _ => null);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
