using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

/// <summary>Every file the reader must reject gives exit 2 and exactly one stderr line that names the file.</summary>
public class BadInputTests
{
    public static TheoryData<string> RejectedFiles()
    {
        var data = new TheoryData<string>();
        string? root = SharedData.RootOrNull;
        if (root is null)
        {
            data.Add("");
            return data;
        }
        foreach (string folder in new[] { "models/litert/_negative", "models/litert/_not_tflite" })
        {
            string dir = Path.Combine(root, folder);
            if (Directory.Exists(dir))
            {
                foreach (string file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
                {
                    data.Add(Path.GetRelativePath(root, file));
                }
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(RejectedFiles))]
    public void Inspect_and_estimate_exit_2_with_one_line_naming_the_file(string relative)
    {
        Skip.If(relative.Length == 0, "../shared is not beside the repository");
        string path = SharedData.Require(relative);
        foreach (string[] args in new[] { new[] { "inspect", path }, new[] { "estimate", path, "--target", "cortex-m7" } })
        {
            (int code, string stdout, string stderr) = CliRunner.Run(args);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("perfsage: error: " + path + ":", line);
        }
    }

    [Fact]
    public void Directory_instead_of_file_exits_2()
    {
        string dir = Path.GetTempPath();
        (int code, _, string stderr) = CliRunner.Run("inspect", dir);
        Assert.Equal(2, code);
        Assert.Contains("is a directory", stderr);
    }
}
