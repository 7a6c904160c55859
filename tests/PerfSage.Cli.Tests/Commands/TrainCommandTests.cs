using System.Diagnostics;
using System.Text.Json;
using PerfSage.Dataset;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Model;
using PerfSage.Model.Cache;
using PerfSage.Tflite;

namespace PerfSage.Cli.Tests;

/// <summary>
/// A tiny dataset (60 KWS models labelled for cortex-m7 and ethos-u55-128, no splits.csv, so split by id hash) and a model
/// trained on it for 6 epochs, shared by the train, predict, score and eval tests. Built once through the CLI itself.
/// </summary>
public sealed class TinyModelFixture : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public TinyModelFixture()
    {
        (int code, _, string stderr) = CliRunner.Run(
            "dataset", "build", "--space", "kws", "--count", "60", "--target", "cortex-m7", "ethos-u55-128", "--out", Data, "--seed", "3", "-q");
        if (code != 0)
        {
            throw new InvalidOperationException("dataset build failed: " + stderr);
        }
        FirstTrain = CliRunner.Run(TrainArgs(Data, Model));
    }

    public static string[] Targets { get; } = ["cortex-m7", "ethos-u55-128"];

    public string Root => _scratch.Path;

    public string Data => _scratch.Sub("kws");

    public string Model => _scratch.Sub("model");

    public (int ExitCode, string Stdout, string Stderr) FirstTrain { get; }

    public string Graph(int index) => Path.Combine(Data, "graphs", $"kws-s3-{index:D6}.tflite");

    /// <summary>Model ids of the data set in the split a hash of the id gives (the data set has no splits.csv, so training applies <see cref="SplitRule"/>).</summary>
    public List<string> IdsIn(Split split) =>
        DatasetFolder.Load(Data).Models.Select(m => m.Id).Where(id => SplitRule.Assign(id) == split).ToList();

    public string Sub(string name) => _scratch.Sub(name);

    /// <summary>The fixture's training command; an option in <paramref name="extra"/> replaces its default here.</summary>
    public static string[] TrainArgs(string data, string output, params string[] extra)
    {
        var args = new List<string> { "train", "--data", data, "--out", output };
        foreach ((string option, string value) in new[] { ("--epochs", "6"), ("--seed", "7"), ("--jobs", "2") })
        {
            if (!extra.Contains(option))
            {
                args.AddRange([option, value]);
            }
        }
        return [.. args, .. extra];
    }

    public void Dispose() => _scratch.Dispose();
}

[CollectionDefinition(Name)]
public sealed class TinyModelGroup : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "tiny trained model";
}

[Collection(TinyModelGroup.Name)]
public class TrainCommandTests(TinyModelFixture tiny)
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Train_writes_the_model_folder_with_held_out_metrics_on_the_hashed_test_split()
    {
        (int code, string stdout, string stderr) = tiny.FirstTrain;
        Assert.True(code == 0, stderr);
        foreach (string file in new[] { "manifest.json", "weights.bin", "metrics.json" })
        {
            Assert.True(File.Exists(Path.Combine(tiny.Model, file)), file);
        }
        Assert.False(Directory.Exists(tiny.Model + ".partial")); // checkpoints are gone once the model is saved
        Assert.Empty(Directory.GetDirectories(tiny.Root, ".model.tmp-*"));

        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(tiny.Model, "manifest.json")));
        string[] heads = manifest.RootElement.GetProperty("heads").EnumerateArray().Select(h => h.GetProperty("key").GetString()!).Order().ToArray();
        string[] metricNames = ["energy_mj", "flash_kb", "latency_ms", "peak_ram_kb"];
        Assert.Equal(TinyModelFixture.Targets.SelectMany(t => metricNames.Select(m => $"{t}/{m}")).ToArray(), heads);
        Assert.Equal(7, manifest.RootElement.GetProperty("training").GetProperty("seed").GetInt64());
        Assert.Equal(60, manifest.RootElement.GetProperty("data").GetProperty("sample_count").GetInt32());

        // Held-out metrics are over exactly the models a hash of the id puts in the test split.
        int testCount = tiny.IdsIn(Split.Test).Count;
        Assert.InRange(testCount, 1, 20);
        using JsonDocument metrics = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(tiny.Model, "metrics.json")));
        Assert.Equal("test", metrics.RootElement.GetProperty("split").GetString());
        Assert.All(metrics.RootElement.GetProperty("heads").EnumerateArray(), h => Assert.Equal(testCount, h.GetProperty("count").GetInt32()));

        Assert.Contains($"features of {tiny.Data}: 0 from the cache, 60 parsed", stdout);
        Assert.Contains($"{tiny.IdsIn(Split.Train).Count} train, {tiny.IdsIn(Split.Validation).Count} val, {testCount} test", stdout);
        Assert.Contains("held-out accuracy (test split", stdout);
        // Says how it split, in the run's summary on stdout.
        Assert.Contains($"split by a hash of the model id (80/10/10; no splits.csv): {tiny.Data}", stdout);
        // All six epochs ran; their progress lines go to stderr, never to stdout.
        JsonElement training = manifest.RootElement.GetProperty("training");
        Assert.Equal(6, training.GetProperty("epochs").GetInt32());
        Assert.Equal(6, training.GetProperty("epochs_run").GetInt32());
        Assert.DoesNotContain("epoch 1/6", stdout);
        Assert.DoesNotContain("epoch 6/6", stdout);
    }

    [Fact]
    public void A_second_run_reads_the_feature_cache_instead_of_the_graphs()
    {
        string cache = Path.Combine(tiny.Data, "cache", "features-v1.pb");
        Assert.True(File.Exists(cache));
        DateTime written = File.GetLastWriteTimeUtc(cache);

        (int code, string stdout, string stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Data, tiny.Sub("again"), "--epochs", "1"));
        Assert.True(code == 0, stderr);
        Assert.Contains($"features of {tiny.Data}: 60 from the cache, 0 parsed", stdout);
        Assert.Equal(written, File.GetLastWriteTimeUtc(cache)); // read, not rewritten

        // What the cache holds is, bit for bit, what parsing the graphs gives.
        Dictionary<string, GraphFeatures> cached = FeatureCache.ReadAll(cache).ToDictionary(r => r.ModelId, r => r.Features);
        Assert.Equal(60, cached.Count);
        foreach (int i in new[] { 0, 17, 59 })
        {
            GraphFeatures parsed = Featurizer.Featurize(OpGraph.FromModel(TfliteReader.ReadFile(tiny.Graph(i))));
            GraphFeatures fromCache = cached[$"kws-s3-{i:D6}"];
            Assert.Equal(parsed.NodeFeatures, fromCache.NodeFeatures);
            Assert.Equal(parsed.EdgeFeatures, fromCache.EdgeFeatures);
            Assert.Equal(parsed.GraphFeatureValues, fromCache.GraphFeatureValues);
            Assert.Equal(parsed.OpIndex, fromCache.OpIndex);
            Assert.Equal(parsed.EdgeSource, fromCache.EdgeSource);
            Assert.Equal(parsed.TotalMacs, fromCache.TotalMacs);
        }
    }

    [Fact]
    public void A_graph_changed_since_the_cache_was_written_is_parsed_again()
    {
        string graph = tiny.Graph(5);
        File.SetLastWriteTimeUtc(graph, File.GetLastWriteTimeUtc(graph).AddMinutes(1));
        (int code, string stdout, string stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Data, tiny.Sub("changed"), "--epochs", "1"));
        Assert.True(code == 0, stderr);
        Assert.Contains("59 from the cache, 1 parsed", stdout);
        (code, stdout, stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Data, tiny.Sub("changed"), "--epochs", "1"));
        Assert.True(code == 0, stderr);
        Assert.Contains("60 from the cache, 0 parsed", stdout);
    }

    /// <summary>Runs the built CLI as a child process (what users run) to its end.</summary>
    private static (int ExitCode, string Stderr) RunProcess(string[] args) => RunProcess(args, killWhen: null);

    /// <summary>Runs the built CLI as a child process; when <paramref name="killWhen"/> is given it is polled every 10 ms
    /// and the process is killed with SIGKILL once it holds (unless the process ended first).</summary>
    private static (int ExitCode, string Stderr) RunProcess(string[] args, Func<bool>? killWhen)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "perfsage.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        // No MKL_CBWR here on purpose: TorchRuntime pins MKL's code path itself (without it about one run pair in three
        // differed in the last bits), and these bit-for-bit checks are what shows it does.
        start.Environment.Remove("MKL_CBWR");
        var stderr = new System.Text.StringBuilder();
        using Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (killWhen is not null)
        {
            // No clock decides when to kill, only the files the run writes; the limit stops a hung run from hanging the test.
            var guard = Stopwatch.StartNew();
            while (!process.HasExited && !killWhen())
            {
                Assert.True(guard.Elapsed < TimeSpan.FromMinutes(10), "the run did not reach the point to kill it at in 10 minutes");
                Thread.Sleep(10);
            }
            try
            {
                process.Kill(entireProcessTree: true); // SIGKILL: no handler, no clean-up runs
            }
            catch (InvalidOperationException)
            {
                // it had ended already
            }
        }
        process.WaitForExit();
        lock (stderr)
        {
            return (process.ExitCode, stderr.ToString());
        }
    }

    /// <summary>The newest epoch checkpointed in <paramref name="checkpoints"/> (0 when none).</summary>
    private static int NewestCheckpoint(string checkpoints) =>
        Directory.Exists(checkpoints)
            ? Directory.GetDirectories(checkpoints, "epoch-*")
                .Select(d => int.TryParse(Path.GetFileName(d)["epoch-".Length..], out int e) ? e : 0).DefaultIfEmpty(0).Max()
            : 0;

    [Fact]
    public void A_run_killed_with_sigkill_resumes_to_the_uninterrupted_weights_and_a_seed_repeats_them()
    {
        // Killed once the third epoch's checkpoint exists. Whether it was stopped unfinished is read from the folders it
        // left, not from timing: a machine that finishes all epochs before the kill lands gets a run with more epochs.
        int epochs = 12;
        string killed = tiny.Sub("killed-12");
        string checkpoints = Path.Combine(killed + ".partial", "checkpoints");
        int kept;
        while (true)
        {
            RunProcess(TinyModelFixture.TrainArgs(tiny.Data, killed, "--epochs", $"{epochs}", "--patience", "0", "--batch-size", "4"),
                () => NewestCheckpoint(checkpoints) >= 3);
            kept = NewestCheckpoint(checkpoints);
            if (!File.Exists(Path.Combine(killed, "manifest.json")) && kept < epochs)
            {
                break;
            }
            Assert.True(epochs < 48, $"training for {epochs} epochs finished before it could be killed");
            epochs *= 2;
            killed = tiny.Sub($"killed-{epochs}");
            checkpoints = Path.Combine(killed + ".partial", "checkpoints");
        }
        Assert.InRange(kept, 3, epochs - 1);
        string[] extra = ["--epochs", $"{epochs}", "--patience", "0", "--batch-size", "4"];

        (int code, string stderr) = RunProcess(TinyModelFixture.TrainArgs(tiny.Data, killed, extra)); // the same command again
        Assert.True(code == 0, stderr);
        // Equal weights alone cannot tell a resumed run from one that started over, so the run's own stderr notice and
        // per-epoch lines (README: train "logs loss and validation MAPE per epoch") are the evidence that it went on
        // after the newest checkpoint.
        Assert.Contains("Resuming from the checkpoints in", stderr);
        Assert.DoesNotContain($"epoch 1/{epochs}:", stderr);
        Assert.DoesNotContain($"epoch {kept}/{epochs}:", stderr);
        Assert.Contains($"epoch {kept + 1}/{epochs}:", stderr);
        Assert.Contains($"epoch {epochs}/{epochs}:", stderr);
        Assert.False(Directory.Exists(killed + ".partial"));

        // Deterministic for a seed, and the resumed run ends exactly where an uninterrupted one does.
        string whole = tiny.Sub("whole"), again = tiny.Sub("whole-again");
        Assert.Equal(0, RunProcess(TinyModelFixture.TrainArgs(tiny.Data, whole, [.. extra, "-q"])).ExitCode);
        Assert.Equal(0, RunProcess(TinyModelFixture.TrainArgs(tiny.Data, again, [.. extra, "-q"])).ExitCode);
        byte[] expected = File.ReadAllBytes(Path.Combine(whole, "weights.bin"));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(again, "weights.bin")));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(killed, "weights.bin")));
        Assert.Equal(BestLoss(whole, out int bestEpoch), BestLoss(killed, out int resumedBestEpoch));
        Assert.Equal(bestEpoch, resumedBestEpoch);
    }

    private static double BestLoss(string modelDir, out int bestEpoch)
    {
        using JsonDocument m = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(modelDir, "manifest.json")));
        JsonElement training = m.RootElement.GetProperty("training");
        bestEpoch = training.GetProperty("best_epoch").GetInt32();
        return training.GetProperty("best_validation_loss").GetDouble();
    }

    [Theory]
    [InlineData("--device cuda: this libtorch build is CPU-only", "--device", "cuda")]
    [InlineData("--target cortex-m4: the data has no labels for it; its targets: cortex-m7, ethos-u55-128", "--target", "cortex-m4")]
    [InlineData("--metric latency: unknown metric; valid: latency_ms, energy_mj, peak_ram_kb, flash_kb", "--metric", "latency")]
    [InlineData("--epochs must be from 1 to 1000000", "--epochs", "0")]
    [InlineData("--freeze-trunk needs --from MODEL", "--freeze-trunk")]
    public void Bad_train_arguments_exit_2_with_one_line(string expected, params string[] extra)
    {
        (int code, _, string stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Data, tiny.Sub("bad"), extra));
        Assert.Equal(2, code);
        string error = Assert.Single(Lines(stderr), l => l.StartsWith("perfsage: error: ", StringComparison.Ordinal));
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(tiny.Sub("bad")));
    }

    [Fact]
    public void A_target_name_that_cannot_name_a_head_exits_2_and_leaves_no_checkpoint_folder()
    {
        // A hand-edited copy of the data set whose labels name a board "my.board" ('.' separates parameter names).
        string data = tiny.Sub("dotted");
        Directory.CreateDirectory(Path.Combine(data, "graphs"));
        foreach (string file in new[] { "dataset.json", "models.csv" })
        {
            File.Copy(Path.Combine(tiny.Data, file), Path.Combine(data, file));
        }
        foreach (string graph in Directory.GetFiles(Path.Combine(tiny.Data, "graphs")))
        {
            File.Copy(graph, Path.Combine(data, "graphs", Path.GetFileName(graph)));
        }
        File.WriteAllLines(Path.Combine(data, "labels.csv"), File.ReadAllLines(Path.Combine(tiny.Data, "labels.csv"))
            .Where(l => !l.Contains(",ethos-u55-128,", StringComparison.Ordinal))
            .Select(l => l.Replace(",cortex-m7,", ",my.board,", StringComparison.Ordinal)));

        string output = tiny.Sub("dotted-model");
        (int code, string stdout, string stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(data, output));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("perfsage: error: cannot train: target 'my.board' is not a valid target name (letters, digits, '_' and '-', "
            + "starting with a letter or digit, at most 64 characters); it cannot name a head", stderr);
        Assert.False(Directory.Exists(output));
        Assert.False(Directory.Exists(output + ".partial"));
    }

    [Fact]
    public void Train_refuses_to_replace_a_folder_that_is_not_a_model_and_a_missing_dataset()
    {
        string precious = tiny.Sub("precious");
        Directory.CreateDirectory(precious);
        File.WriteAllText(Path.Combine(precious, "notes.txt"), "keep me");
        (int code, _, string stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Data, precious));
        Assert.Equal(2, code);
        Assert.Contains("is not a PerfSage model folder; training would replace it", stderr);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(precious, "notes.txt")));

        (code, _, stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Sub("no-such-data"), tiny.Sub("out")));
        Assert.Equal(2, code);
        Assert.Contains("no-such-data: dataset folder not found", stderr);
    }
}
