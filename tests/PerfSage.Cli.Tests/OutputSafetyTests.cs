using System.Diagnostics;

namespace PerfSage.Cli.Tests;

/// <summary>
/// Issue #11: every file a command writes is the file the user named: never a device or a named pipe, never a link's
/// replacement (a link is written through), never one of the command's inputs; a bad output is one line and exit 2.
/// </summary>
[Collection(TinyModelGroup.Name)]
public class OutputSafetyTests(TinyModelFixture tiny)
{
    private const string RegularFileRule = "must name a regular file or a new one (PerfSage writes a new file and renames it into place)";

    private (int ExitCode, string Stdout, string Stderr) Score(params string[] args) =>
        CliRunner.Run(["score", .. args, "-t", "cortex-m7", "--model", tiny.Model, "--jobs", "2"]);

    private static void MakeFifo(string path)
    {
        using var process = Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private static void AssertOneError(string stderr, string expected)
    {
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["perfsage: error: " + expected], lines);
    }

    /// <summary>Runs the CLI on a worker thread and fails (instead of hanging the suite) if it does not end.</summary>
    private static (int ExitCode, string Stdout, string Stderr) RunOrFail(params string[] args)
    {
        var run = Task.Run(() => CliRunner.Run(args));
        Assert.True(run.Wait(TimeSpan.FromMinutes(3)), "the command hung");
        return run.Result;
    }

    /// <summary>A copy of a fixture graph in <paramref name="tmp"/>, so a test that might damage it damages a copy.</summary>
    private string ModelCopy(ScratchFolder tmp, string name, int index = 10)
    {
        string path = tmp.Sub(name);
        File.Copy(tiny.Graph(index), path);
        return path;
    }

    [SkippableFact]
    public void Score_out_through_a_link_writes_the_target_and_keeps_the_link()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are checked on Linux");
        using var tmp = new ScratchFolder();
        string model = ModelCopy(tmp, "m.tflite");
        Directory.CreateDirectory(tmp.Sub("real"));
        string target = tmp.Sub("real/scores.csv");
        File.WriteAllText(target, "old content\n");
        string link = tmp.Sub("scores.csv");
        File.CreateSymbolicLink(link, target);

        (int code, _, string stderr) = Score(model, "--out", link);

        Assert.True(code == 0, stderr);
        Assert.Equal(target, new FileInfo(link).LinkTarget); // still the same link
        string[] lines = File.ReadAllLines(target);
        Assert.StartsWith("model,target,status,", lines[0], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(model + ",cortex-m7,ok,", lines[1], StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tmp.Path, ".tmp-*", SearchOption.AllDirectories));
    }

    [SkippableFact]
    public void Score_out_to_a_device_or_a_named_pipe_exits_2_and_leaves_it_alone()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "devices and mkfifo are Linux-only here");
        using var tmp = new ScratchFolder();
        string model = ModelCopy(tmp, "m.tflite");

        (int code, _, string stderr) = RunOrFail("score", model, "-t", "cortex-m7", "--model", tiny.Model, "--out", "/dev/null");
        Assert.Equal(2, code);
        AssertOneError(stderr, $"/dev/null: is a character device; --out {RegularFileRule}");
        Assert.Equal(PerfSage.IO.FileKind.CharacterDevice, PerfSage.IO.FileProbe.Stat("/dev/null", followLinks: false).Kind);

        string fifo = tmp.Sub("scores.csv");
        MakeFifo(fifo);
        (code, _, stderr) = RunOrFail("score", model, "-t", "cortex-m7", "--model", tiny.Model, "--out", fifo);
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{fifo}: is a named pipe (FIFO); --out {RegularFileRule}");
        Assert.Equal(PerfSage.IO.FileKind.Fifo, PerfSage.IO.FileProbe.Stat(fifo, followLinks: false).Kind);

        // A link to a device is refused too, and stays a link to it.
        string link = tmp.Sub("null.csv");
        File.CreateSymbolicLink(link, "/dev/null");
        (code, _, stderr) = RunOrFail("score", model, "-t", "cortex-m7", "--model", tiny.Model, "--out", link);
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{link} (a link to /dev/null): is a character device; --out {RegularFileRule}");
        Assert.Equal("/dev/null", new FileInfo(link).LinkTarget);
    }

    [SkippableFact]
    public void Score_out_that_is_an_input_or_a_link_to_one_exits_2_and_the_model_is_unchanged()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are checked on Linux");
        using var tmp = new ScratchFolder();
        string first = ModelCopy(tmp, "a.tflite", 10);
        string second = ModelCopy(tmp, "b.tflite", 11);
        byte[] before = File.ReadAllBytes(second);

        (int code, _, string stderr) = Score(first, second, "--out", second);
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{second}: is one of this command's inputs ({second}); --out must name another file");
        Assert.Equal(before, File.ReadAllBytes(second));

        string link = tmp.Sub("out.csv");
        File.CreateSymbolicLink(link, second);
        (code, _, stderr) = Score(first, second, "--out", link);
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{link}: is one of this command's inputs ({second}); --out must name another file");
        Assert.Equal(before, File.ReadAllBytes(second));
        Assert.Equal(second, new FileInfo(link).LinkTarget);

        // An input found by searching a folder counts as well.
        (code, _, stderr) = Score(tmp.Path, "--out", first);
        Assert.Equal(2, code);
        Assert.Contains($"perfsage: error: {first}: is one of this command's inputs", stderr, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(tiny.Graph(10)), File.ReadAllBytes(first));
    }

    [Fact]
    public void Score_csv_cells_from_file_names_are_text_a_spreadsheet_does_not_run()
    {
        using var tmp = new ScratchFolder();
        // Names relative to the working folder are written as typed, so the cell starts with the name's first
        // character: make the files there (unique names, removed at the end) rather than change the working folder.
        string tag = Guid.NewGuid().ToString("N")[..8];
        // ('@' would start a response file on the command line; a tab at the start is one of the OWASP characters too.)
        string[] names = [$"=HYPERLINK({tag}).tflite", $"+cmd{tag}.tflite", $"-2+3{tag}.tflite", $"\tSUM{tag}.tflite"];
        try
        {
            foreach (string name in names)
            {
                File.Copy(tiny.Graph(10), name);
            }
            string csv = tmp.Sub("s.csv");

            (int code, _, string stderr) = Score([.. names, "--out", csv]);

            Assert.True(code == 0, stderr);
            string[] lines = File.ReadAllLines(csv);
            Assert.Equal(5, lines.Length);
            foreach (string name in names)
            {
                string line = Assert.Single(lines, l => l.StartsWith($"\"'{name}\",", StringComparison.Ordinal));
                // The cells after it are as before, the numbers plain numbers.
                string[] cells = line[(name.Length + 4)..].Split(',');
                Assert.Equal("cortex-m7", cells[0]);
                Assert.Equal("ok", cells[1]);
                Assert.True(double.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture) > 0, cells[2]);
            }
        }
        finally
        {
            foreach (string name in names)
            {
                File.Delete(name);
            }
        }
    }

    [Fact]
    public void Csv_formula_protection_leaves_negative_numbers_as_numbers()
    {
        using var text = new StringWriter();
        using (var csv = Csv.Create(text, protectFormulas: true))
        {
            csv.WriteField("-1.5");
            csv.WriteField("=1+2");
            csv.WriteField("\tx");
            Csv.Number(csv, -1.5);
            Csv.Number(csv, null);
            csv.EndRecord();
        }
        Assert.Equal("\"'-1.5\",\"'=1+2\",\"'\tx\",-1.5,\n", text.ToString());
    }

    [SkippableFact]
    public void Score_reads_a_named_pipe_input_as_one_error_row_without_hanging()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo is Linux-only here");
        using var tmp = new ScratchFolder();
        string model = ModelCopy(tmp, "m.tflite");
        string fifo = tmp.Sub("pipe.tflite");
        MakeFifo(fifo);
        string csv = tmp.Sub("s.csv");

        (int code, _, string stderr) = RunOrFail("score", model, fifo, "-t", "cortex-m7", "--model", tiny.Model, "--out", csv);

        Assert.Equal(2, code);
        string expected = $"{fifo}: is a named pipe (FIFO), not a regular file; a model must be a regular file";
        Assert.Contains("perfsage: error: " + expected, stderr, StringComparison.Ordinal);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{fifo},cortex-m7,\"error: {expected}\",", lines[2], StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Eval_plot_onto_a_device_a_named_pipe_or_a_model_file_exits_2_before_evaluating()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "devices and mkfifo are Linux-only here");
        using var tmp = new ScratchFolder();
        (int code, _, string stderr) = RunOrFail("eval", "--model", tiny.Model, "--data", tiny.Data, "--plot", "/dev/null");
        Assert.Equal(2, code);
        AssertOneError(stderr, $"/dev/null: is a character device; --plot {RegularFileRule}");

        string fifo = tmp.Sub("plot.png");
        MakeFifo(fifo);
        (code, _, stderr) = RunOrFail("eval", "--model", tiny.Model, "--data", tiny.Data, "--few-shot", "5", "--target", "cortex-m7", "--plot", fifo);
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{fifo}: is a named pipe (FIFO); --plot {RegularFileRule}");
        Assert.Equal(PerfSage.IO.FileKind.Fifo, PerfSage.IO.FileProbe.Stat(fifo, followLinks: false).Kind);

        string labels = Path.Combine(tiny.Data, "labels.csv");
        byte[] before = File.ReadAllBytes(labels);
        (code, _, stderr) = RunOrFail("eval", "--model", tiny.Model, "--data", tiny.Data, "--plot", labels);
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{labels}: is one of this command's inputs ({labels}); --plot must name another file");
        Assert.Equal(before, File.ReadAllBytes(labels));
    }

    [SkippableFact]
    public void Log_file_that_is_a_named_pipe_or_an_input_exits_2_and_is_not_written()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo is Linux-only here");
        using var tmp = new ScratchFolder();
        string model = ModelCopy(tmp, "m.tflite");
        byte[] before = File.ReadAllBytes(model);

        string fifo = tmp.Sub("log.jsonl");
        MakeFifo(fifo);
        (int code, string stdout, string stderr) = RunOrFail("inspect", model, "--log-file", fifo);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        AssertOneError(stderr, $"{fifo}: is a named pipe (FIFO); --log-file must name a regular file or a new one (PerfSage appends its log to it)");

        (code, stdout, stderr) = RunOrFail("inspect", model, "--log-file", model);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        AssertOneError(stderr, $"{model}: is one of this command's inputs ({model}); --log-file must name another file");
        Assert.Equal(before, File.ReadAllBytes(model));

        // An existing regular log file is appended to.
        string log = tmp.Sub("run.log");
        File.WriteAllText(log, "earlier\n");
        (code, _, stderr) = RunOrFail("inspect", model, "--log-file", log);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("earlier\n", File.ReadAllText(log), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Folder_out_that_is_a_file_or_a_named_pipe_exits_2_and_leaves_it_alone()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo is Linux-only here");
        using var tmp = new ScratchFolder();
        string file = tmp.Sub("notes.txt");
        File.WriteAllText(file, "keep me");
        string fifo = tmp.Sub("pipe");
        MakeFifo(fifo);

        (int code, _, string stderr) = RunOrFail("dataset", "build", "--space", "kws", "--count", "2", "--target", "cortex-m4", "--out", file);
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{file}: is a regular file; --out must name a folder (new or existing)");
        Assert.Equal("keep me", File.ReadAllText(file));

        string csv = tmp.Sub("m.csv");
        File.WriteAllText(csv, "model,target,latency_ms\nx.tflite,board,1\n");
        (code, _, stderr) = RunOrFail("dataset", "import", "--measurements", csv, "--out", fifo);
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{fifo}: is a named pipe (FIFO); --out must name a folder (new or existing)");

        (code, _, stderr) = RunOrFail("dataset", "import-nb201", "--csv", csv, "--out", "/dev/null");
        Assert.Equal(2, code);
        AssertOneError(stderr, "/dev/null: is a character device; --out must name a folder (new or existing)");

        (code, _, stderr) = RunOrFail("train", "--data", tiny.Data, "--out", fifo, "--epochs", "1");
        Assert.Equal(2, code);
        AssertOneError(stderr, $"{fifo}: is a named pipe (FIFO); --out must name a folder (new or existing)");
        Assert.Equal(PerfSage.IO.FileKind.Fifo, PerfSage.IO.FileProbe.Stat(fifo, followLinks: false).Kind);
        Assert.False(Directory.Exists(fifo + ".partial"));
    }

    [Theory]
    [InlineData("import")]
    [InlineData("import-nb201")]
    public void An_import_into_a_folder_another_import_is_writing_says_so(string command)
    {
        using var tmp = new ScratchFolder();
        string csv = tmp.Sub("m.csv");
        File.Copy(tiny.Graph(10), tmp.Sub("a.tflite"));
        File.WriteAllLines(csv, command == "import"
            ? ["model,target,latency_ms", "a.tflite,board,3.5"]
            : ["nb201_index,arch,raspi4", "4,|skip_connect~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|skip_connect~1|nor_conv_1x1~2|,7.6"]);
        string[] args = command == "import"
            ? ["dataset", "import", "--measurements", csv, "--out"]
            : ["dataset", "import-nb201", "--csv", csv, "--limit", "1", "--out"];
        string dir = tmp.Sub("data");
        string expected = $"{dir}: another PerfSage process (a dataset build or import) is writing this dataset folder (lock file .lock); "
                          + "wait for it to finish, or write to another folder";
        Directory.CreateDirectory(dir);

        // The first import holds the folder: at first it is empty but for the lock file, then half written.
        using (PerfSage.IO.FolderLock? first = PerfSage.IO.FolderLock.TryAcquire(Path.Combine(dir, ".lock")))
        {
            Assert.NotNull(first);
            (int code, _, string stderr) = CliRunner.Run([.. args, dir]);
            Assert.Equal(2, code);
            AssertOneError(stderr, expected);

            Directory.CreateDirectory(Path.Combine(dir, "graphs"));
            File.WriteAllText(Path.Combine(dir, "graphs", "x.tflite"), "being written");
            (code, _, stderr) = CliRunner.Run([.. args, dir]);
            Assert.Equal(2, code);
            AssertOneError(stderr, expected);
            Assert.Equal("being written", File.ReadAllText(Path.Combine(dir, "graphs", "x.tflite")));
        }
    }
}
