namespace PerfSage.Cli.Tests;

public class RootCommandTests
{
    [Fact]
    public void Version_prints_the_assembly_version_and_exits_0()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("--version");
        Assert.Equal(0, code);
        Assert.StartsWith("0.1.0", stdout.Trim());
        Assert.Equal("", stderr);
    }

    [Fact]
    public void Help_lists_the_commands_and_global_options()
    {
        (int code, string stdout, _) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        // Every command of the README's command table, each at the start of its own line under "Commands:".
        string commands = stdout[stdout.IndexOf("Commands:", StringComparison.Ordinal)..];
        string[] names = [.. commands.Split('\n').Skip(1).Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0)];
        Assert.Equal(["inspect", "dataset", "estimate", "targets", "train", "predict", "score", "eval"], names);
        Assert.Contains("--verbose", stdout);
        Assert.Contains("--quiet", stdout);
        Assert.Contains("--log-file", stdout);
    }

    [Fact]
    public void Unknown_command_is_bad_input_with_one_line_on_stderr()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("frobnicate", stderr);
    }

    [Fact]
    public void Bad_option_value_is_bad_input()
    {
        string path = Path.GetTempFileName();
        try
        {
            (int code, string stdout, string stderr) = CliRunner.Run("inspect", path, "--format", "xml");
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains("xml", stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
