using PerfSage.Dataset.Tests.Build;
using PerfSage.Tests.Common;
using Xunit;

namespace PerfSage.Dataset.Tests.Folder;

public class DatasetFolderTests
{
    [Fact]
    public void Load_gives_models_graph_paths_and_labels_per_target_and_metric()
    {
        using var dir = new TempFolder("load");
        Builds.Run(Builds.Kws(3), dir.Path);
        DatasetFolder folder = DatasetFolder.Load(dir.Path, verifyGraphs: true);
        Assert.Equal(Path.GetFullPath(dir.Path), folder.Directory);
        Assert.Equal(3, folder.Models.Count);
        Assert.False(folder.HasSplits);
        Assert.Equal(Builds.TwoTargets, folder.Targets);
        List<LabelRow> rows = LabelsCsv.Read(Path.Combine(dir.Path, "labels.csv"));
        Assert.Equal(rows, folder.Labels);
        DatasetModel m = folder.Find("kws-s3-000001")!;
        Assert.Equal(Path.Combine(Path.GetFullPath(dir.Path), "graphs", "kws-s3-000001.tflite"), m.GraphPath);
        LabelRow row = rows.Single(r => r.ModelId == m.Id && r.Target == "ethos-u55-128");
        Assert.Equal(row.LatencyMs, m.Label("ethos-u55-128", Metric.LatencyMs));
        Assert.Equal(row.EnergyMj, m.Label("ethos-u55-128", Metric.EnergyMj));
        Assert.Equal(row.PeakRamKb, m.Label("ethos-u55-128", Metric.PeakRamKb));
        Assert.Equal(row.FlashKb, m.Label("ethos-u55-128", Metric.FlashKb));
        Assert.Null(m.Label("cortex-m7", Metric.LatencyMs));
        Assert.Equal("estimate", m.Labels["cortex-m4"].Source);
        Assert.Null(folder.Find("kws-s3-000009"));
    }

    [Fact]
    public void A_hand_made_folder_of_graphs_and_labels_loads_without_models_csv()
    {
        using var built = new TempFolder("load");
        Builds.Run(Builds.Kws(2), built.Path);
        using var hand = new TempFolder("hand");
        Directory.CreateDirectory(Path.Combine(hand.Path, "graphs"));
        File.Copy(DatasetLayout.GraphPath(built.Path, "kws-s3-000000"), Path.Combine(hand.Path, "graphs", "a.tflite"));
        File.WriteAllText(Path.Combine(hand.Path, "labels.csv"),
            "model_id,target,latency_ms,energy_mj,peak_ram_kb,flash_kb,source\na,myboard,2.5,,,,measured:lab\n");
        File.WriteAllText(Path.Combine(hand.Path, "dataset.json"), "{\"format\": \"perfsage.dataset/1\"}");
        DatasetFolder folder = DatasetFolder.Load(hand.Path);
        DatasetModel m = Assert.Single(folder.Models);
        Assert.Equal(("a", ""), (m.Id, m.Info.Family));
        Assert.Equal(2.5, m.Label("myboard", Metric.LatencyMs));
        Assert.True(m.Labels["myboard"].IsMeasured);
        Assert.Equal(new FileInfo(DatasetLayout.GraphPath(built.Path, "kws-s3-000000")).Length, m.Info.GraphBytes);
    }

    [Fact]
    public void Inconsistent_folders_are_refused_with_the_file_and_cause()
    {
        using var dir = new TempFolder("load");
        Builds.Run(Builds.Kws(2), dir.Path);
        string labels = Path.Combine(dir.Path, "labels.csv");
        string original = File.ReadAllText(labels);

        File.AppendAllText(labels, "ghost,cortex-m4,1,1,1,1,estimate\n");
        Assert.Contains("model ghost is not in models.csv", Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path)).Message);

        File.WriteAllText(labels, original + original.Split('\n')[1] + "\n");
        Assert.Contains("two labels for target cortex-m4", Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path)).Message);

        File.WriteAllText(labels, original.Replace("cortex-m4,", "cortex-m4,x", StringComparison.Ordinal));
        var number = Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path));
        Assert.Contains("line 2: latency_ms 'x", number.Message);
        Assert.Contains("labels.csv", number.Message);

        File.WriteAllText(labels, original);
        byte[] graph = File.ReadAllBytes(DatasetLayout.GraphPath(dir.Path, "kws-s3-000001"));
        File.WriteAllBytes(DatasetLayout.GraphPath(dir.Path, "kws-s3-000001"), graph[..^1]);
        Assert.Contains("differs from the size or SHA-256", Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path, verifyGraphs: true)).Message);
        File.Delete(DatasetLayout.GraphPath(dir.Path, "kws-s3-000001"));
        Assert.Contains("graph of model kws-s3-000001 is missing", Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path)).Message);

        File.Delete(Path.Combine(dir.Path, "dataset.json"));
        Assert.Contains("not a complete dataset folder", Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path)).Message);
        Assert.Contains("not found", Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Sub("none"))).Message);
    }

    [Fact]
    public void Splits_csv_must_cover_every_model()
    {
        using var dir = new TempFolder("load");
        Builds.Run(Builds.Kws(2), dir.Path);
        File.WriteAllText(Path.Combine(dir.Path, "splits.csv"), "model_id,split\nkws-s3-000000,train\n");
        Assert.Contains("kws-s3-000001 has no split", Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path)).Message);
        File.WriteAllText(Path.Combine(dir.Path, "splits.csv"), "model_id,split\nkws-s3-000000,train\nkws-s3-000001,holdout\n");
        Assert.Contains("'holdout' is not train, val or test", Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path)).Message);
    }

    [SkippableFact]
    public void A_named_pipe_in_place_of_a_folder_file_is_refused_not_waited_on()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes are checked on Linux");
        using var dir = new TempFolder("load");
        Builds.Run(Builds.Kws(2), dir.Path);
        foreach ((string file, string what) in new[] { ("labels.csv", "labels file"), ("models.csv", "models file"), ("splits.csv", "splits file"), ("dataset.json", "dataset manifest") })
        {
            string path = Path.Combine(dir.Path, file);
            byte[]? saved = File.Exists(path) ? File.ReadAllBytes(path) : null;
            File.Delete(path);
            HostileFiles.MakeFifo(path);
            Exception? e = HostileFiles.WithoutHang(() => Record.Exception(() => DatasetFolder.Load(dir.Path)), "loading a folder with a pipe for " + file);
            Assert.Equal($"{Path.GetFullPath(path)}: is a named pipe (FIFO), not a regular file; a {what} must be a regular file",
                Assert.IsType<DatasetException>(e).Message);
            File.Delete(path);
            if (saved is not null)
            {
                File.WriteAllBytes(path, saved);
            }
        }
        string graph = DatasetLayout.GraphPath(dir.Path, "kws-s3-000001");
        File.Delete(graph);
        HostileFiles.MakeFifo(graph);
        Exception? g = HostileFiles.WithoutHang(() => Record.Exception(() => DatasetFolder.Load(dir.Path, verifyGraphs: true)), "loading a pipe graph");
        Assert.Equal($"{Path.GetFullPath(graph)}: is a named pipe (FIFO), not a regular file; a graph must be a regular file",
            Assert.IsType<DatasetException>(g).Message);
    }

    [Fact]
    public void A_model_id_that_leads_out_of_the_folder_is_refused()
    {
        using var dir = new TempFolder("load");
        Builds.Run(Builds.Kws(2), dir.Path);
        string labels = Path.Combine(dir.Path, "labels.csv");
        string original = File.ReadAllText(labels);
        File.WriteAllText(labels, original.Replace("kws-s3-000001,", "../../kws-s3-000001,", StringComparison.Ordinal));
        var e = Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path));
        Assert.Equal($"{labels}: line 4: model_id '../../kws-s3-000001' is not a file name (no '/', '\\' or NUL, not '.' or '..')", e.Message);
    }

    [Fact]
    public void An_unclosed_quote_in_labels_csv_is_named_on_its_own_line()
    {
        using var dir = new TempFolder("load");
        Builds.Run(Builds.Kws(2), dir.Path);
        string labels = Path.Combine(dir.Path, "labels.csv");
        string[] lines = File.ReadAllLines(labels);
        lines[3] = "\"" + lines[3];
        File.WriteAllLines(labels, lines);
        var e = Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path));
        Assert.Equal($"{labels}: line 4: malformed CSV quoting (an unclosed or stray quote)", e.Message);
    }
}
