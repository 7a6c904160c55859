using System.Globalization;
using PerfSage.Dataset;
using PerfSage.Model;

namespace PerfSage.Pipeline.Tests;

public class LabelledDataTests
{
    private static LabelledData Load(params string[] dirs) =>
        LabelledData.Load(dirs, 1, Serilog.Core.Logger.None, CancellationToken.None);

    [Fact]
    public void Training_on_a_folder_without_splits_holds_out_what_dataset_split_later_writes()
    {
        // Regression (issue #12): training on a folder without splits.csv used one hash rule, `dataset split` (which the
        // log advises) another, so a later `eval` scored a "test" split made mostly of training graphs.
        using var tmp = new ScratchFolder();
        string dir = DatasetFixtures.Built(tmp, "kws", 60);
        Assert.False(File.Exists(Path.Combine(dir, "splits.csv")));
        Dictionary<string, Split> whileTraining = Load(dir).Samples.ToDictionary(s => s.ModelId, s => s.Split);

        DatasetSplitter.Split(dir, new SplitSettings()); // `perfsage dataset split DIR` with its defaults
        Assert.True(File.Exists(Path.Combine(dir, "splits.csv")));
        Dictionary<string, Split> afterSplit = Load(dir).Samples.ToDictionary(s => s.ModelId, s => s.Split);

        Assert.Equal(60, whileTraining.Count);
        Assert.Equal(whileTraining.OrderBy(kv => kv.Key, StringComparer.Ordinal), afterSplit.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        // Both splits are real (not everything in train): the check above compares held-out sets, not one bucket.
        Assert.Contains(Split.Test, whileTraining.Values);
        Assert.Contains(Split.Train, whileTraining.Values);
    }

    [Fact]
    public void A_metric_that_was_not_measured_is_no_label()
    {
        using var tmp = new ScratchFolder();
        string built = DatasetFixtures.Built(tmp, "built", 2);
        IReadOnlyList<DatasetModel> graphs = DatasetFolder.Load(built).Models;
        // Measured latency only (2.5 ms and 4 ms), no energy, RAM or flash.
        string csv = tmp.Sub("measured.csv");
        File.WriteAllText(csv, string.Create(CultureInfo.InvariantCulture,
            $"model,target,latency_ms\n{graphs[0].GraphPath},my-board,2.5\n{graphs[1].GraphPath},my-board,4\n"));
        string measured = tmp.Sub("measured");
        Assert.True(MeasurementImporter.Import(new MeasurementImportRequest(csv), measured).Written);

        LabelledData data = Load(measured);
        Assert.Equal(["my-board"], data.Targets);
        Assert.Equal([measured], data.HashSplitFolders); // no splits.csv
        Assert.Equal([2.5, 4.0], data.Samples.Select(s => Assert.Single(s.Labels).Value).Order());
        Assert.All(data.Samples, s => Assert.Equal(("my-board", Metric.LatencyMs), Assert.Single(s.Labels).Key));

        // Generated data has every metric: four labels per graph.
        Assert.All(Load(built).Samples, s => Assert.Equal(4, s.Labels.Count));
    }

    [Fact]
    public void Two_folders_with_the_same_ids_keep_both_named_apart()
    {
        using var tmp = new ScratchFolder();
        string a = DatasetFixtures.Built(tmp, "a", 3);
        string b = tmp.Sub("b");
        CopyFolder(a, b);

        LabelledData data = Load(a, b);
        Assert.Equal(6, data.Samples.Count);
        string[] ids = [.. data.Samples.Take(3).Select(s => s.ModelId)];
        Assert.Equal(ids.Select(id => "b/" + id), data.Samples.Skip(3).Select(s => s.ModelId));
        Assert.Equal(2, data.Features.Count);
        // The split follows the model's own id (a hash of it), so the twins fall on the same side.
        Assert.Equal(data.Samples.Take(3).Select(s => s.Split), data.Samples.Skip(3).Select(s => s.Split));
    }

    [Fact]
    public void No_folder_or_a_missing_one_is_refused()
    {
        Assert.StartsWith("no data: give --data DIR", Assert.Throws<UserInputException>(() => Load()).Message);
        using var tmp = new ScratchFolder();
        Assert.Equal($"{tmp.Sub("none")}: dataset folder not found", Assert.Throws<UserInputException>(() => Load(tmp.Sub("none"))).Message);
        // A folder that is not a dataset: the dataset library's own exception, a PerfSageException (exit 2 in the CLI).
        Assert.Throws<DatasetException>(() => Load(tmp.Path));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
