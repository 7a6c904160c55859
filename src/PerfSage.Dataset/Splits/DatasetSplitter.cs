using System.Globalization;

namespace PerfSage.Dataset;

/// <summary>How models are assigned to train, validation and test.</summary>
public enum SplitBy
{
    /// <summary>Each model on its own, by a hash of its id: a model's split never changes when others are
    /// added.</summary>
    Hash,

    /// <summary>All models of an architecture family together (models without a family are each their own).</summary>
    Family,
}

/// <summary>The settings of a split.</summary>
public sealed record SplitSettings
{
    public SplitBy By { get; init; } = SplitBy.Hash;

    /// <summary>Fraction of models for validation, in [0, 1).</summary>
    public double Val { get; init; } = 0.1;

    /// <summary>Fraction of models for test, in [0, 1); <see cref="Val"/> + <see cref="Test"/> &lt; 1.</summary>
    public double Test { get; init; } = 0.1;

    public ulong Seed { get; init; }

    internal static SplitSettings From(SplitInfo info) => new()
    {
        By = info.By == "family" ? SplitBy.Family : SplitBy.Hash,
        Val = info.Val,
        Test = info.Test,
        Seed = info.Seed,
    };
}

/// <summary>
/// Splits a dataset into train, validation and test (<c>splits.csv</c>, recorded in <c>dataset.json</c>).
/// </summary>
/// <remarks>
/// <para><b>hash</b>: <c>u</c> = the first 8 bytes of SHA-256 of <c>"seed:model_id"</c> read as a number in
/// [0, 1); <c>u &lt; test</c> → test, <c>u &lt; test + val</c> → val, else train. A pure function of the seed and
/// the id, so the split of a model never changes as models are added.</para>
/// <para><b>family</b>: the families (a model without one counts as a family of its own) are visited in the
/// order of SHA-256 of <c>"seed:family"</c>, and each goes, whole, to the split furthest below its share of
/// models. With few families the fractions can only be approximate; with one family everything is train.</para>
/// </remarks>
public static class DatasetSplitter
{
    /// <summary>Splits the dataset in <paramref name="directory"/>: writes <c>splits.csv</c>, then records the
    /// settings and counts in <c>dataset.json</c>. Throws <see cref="DatasetException"/> for fractions out of
    /// range or a folder that is not a complete dataset.</summary>
    public static SplitInfo Split(string directory, SplitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(settings);
        Check(settings);
        DatasetFolder folder = DatasetFolder.Load(directory);
        using FolderLock folderLock = FolderLock.Acquire(folder.Directory);
        SplitInfo info = Write(folder.Directory, [.. folder.Models.Select(m => m.Info)], settings);
        DatasetJson.WriteManifest(folder.Directory, folder.Manifest with { Split = info });
        return info;
    }

    /// <summary>The split of every model (see the class remarks).</summary>
    public static IReadOnlyDictionary<string, PerfSage.Split> Assign(IReadOnlyList<ModelInfo> models, SplitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(settings);
        Check(settings);
        var result = new Dictionary<string, PerfSage.Split>(StringComparer.Ordinal);
        if (settings.By == SplitBy.Hash)
        {
            foreach (ModelInfo m in models)
            {
                result[m.ModelId] = SplitRule.Assign(m.ModelId, settings.Seed, settings.Val, settings.Test);
            }
            return result;
        }

        static string KeyOf(ModelInfo m) => m.Family.Length > 0 ? "family:" + m.Family : "model:" + m.ModelId;
        var groups = models.GroupBy(KeyOf, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Members: g.ToList()))
            .OrderBy(g => SplitRule.Hash(settings.Seed, g.Key))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        double total = models.Count;
        double[] share = [total * (1 - settings.Val - settings.Test), total * settings.Val, total * settings.Test];
        var assigned = new double[3];
        PerfSage.Split[] order = [PerfSage.Split.Train, PerfSage.Split.Validation, PerfSage.Split.Test];
        foreach ((string _, List<ModelInfo> members) in groups)
        {
            int best = 0;
            for (int s = 1; s < 3; s++)
            {
                if (share[s] - assigned[s] > share[best] - assigned[best])
                {
                    best = s;
                }
            }
            assigned[best] += members.Count;
            foreach (ModelInfo m in members)
            {
                result[m.ModelId] = order[best];
            }
        }
        return result;
    }

    /// <summary>Writes <c>splits.csv</c> for <paramref name="models"/> and returns the manifest entry.</summary>
    internal static SplitInfo Write(string directory, IReadOnlyList<ModelInfo> models, SplitSettings settings)
    {
        IReadOnlyDictionary<string, PerfSage.Split> splits = Assign(models, settings);
        AtomicFile.Write(Path.Combine(directory, DatasetLayout.SplitsFile),
            DatasetSplits.Write(models.Select(m => (m.ModelId, splits[m.ModelId]))), durable: true);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal) { ["test"] = 0, ["train"] = 0, ["val"] = 0 };
        foreach (PerfSage.Split s in splits.Values)
        {
            counts[Splits.Name(s)]++;
        }
        return new SplitInfo(settings.By == SplitBy.Family ? "family" : "hash", settings.Val, settings.Test, settings.Seed, counts,
            PerfSage.SplitRule.Name);
    }

    private static void Check(SplitSettings s)
    {
        if (!double.IsFinite(s.Val) || !double.IsFinite(s.Test) || s.Val < 0 || s.Test < 0 || s.Val + s.Test >= 1)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture,
                $"split fractions val {s.Val} and test {s.Test} must be ≥ 0 with val + test < 1"));
        }
        if (s.By is not (SplitBy.Hash or SplitBy.Family))
        {
            throw new DatasetException($"unknown split method {s.By}");
        }
    }
}
