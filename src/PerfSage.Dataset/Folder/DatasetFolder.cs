namespace PerfSage.Dataset;

/// <summary>One model of a loaded dataset: its <c>models.csv</c> row, graph path, labels and split.</summary>
public sealed class DatasetModel
{
    internal DatasetModel(ModelInfo info, string graphPath, IReadOnlyDictionary<string, LabelRow> labels, Split? split)
    {
        Info = info;
        GraphPath = graphPath;
        Labels = labels;
        Split = split;
    }

    /// <summary>The model id.</summary>
    public string Id => Info.ModelId;

    /// <summary>Its row of <c>models.csv</c> (family, variant, graph hash, origin, knobs).</summary>
    public ModelInfo Info { get; }

    /// <summary>Full path of <c>graphs/&lt;id&gt;.tflite</c>.</summary>
    public string GraphPath { get; }

    /// <summary>Its labels by target.</summary>
    public IReadOnlyDictionary<string, LabelRow> Labels { get; }

    /// <summary>Its split, or null when the folder is not split.</summary>
    public Split? Split { get; }

    /// <summary>The value of <paramref name="metric"/> on <paramref name="target"/>, or null when there is none.</summary>
    public double? Label(string target, Metric metric) =>
        Labels.TryGetValue(target, out LabelRow? row) ? row.Get(metric) : null;
}

/// <summary>
/// A dataset folder read for training and evaluation (<see cref="Load"/>): the models with their graph paths,
/// the labels per model, target and metric (with their source), and the split.
/// </summary>
public sealed class DatasetFolder
{
    private readonly Dictionary<string, DatasetModel> _byId;

    private DatasetFolder(string directory, DatasetManifest manifest, IReadOnlyList<DatasetModel> models, IReadOnlyList<LabelRow> labels,
        bool hasSplits)
    {
        Directory = directory;
        Manifest = manifest;
        Models = models;
        Labels = labels;
        HasSplits = hasSplits;
        _byId = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        Targets = [.. labels.Select(l => l.Target).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The folder, as a full path.</summary>
    public string Directory { get; }

    /// <summary><c>dataset.json</c>.</summary>
    public DatasetManifest Manifest { get; }

    /// <summary>The models, in the folder's order.</summary>
    public IReadOnlyList<DatasetModel> Models { get; }

    /// <summary>Every row of <c>labels.csv</c>, in file order.</summary>
    public IReadOnlyList<LabelRow> Labels { get; }

    /// <summary>The targets that have labels, sorted.</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>True when the folder has <c>splits.csv</c> (every model then has a <see cref="DatasetModel.Split"/>).</summary>
    public bool HasSplits { get; }

    /// <summary>The model <paramref name="modelId"/>, or null.</summary>
    public DatasetModel? Find(string modelId) => _byId.GetValueOrDefault(modelId);

    /// <summary>The models of <paramref name="split"/> (none when the folder is not split).</summary>
    public IEnumerable<DatasetModel> InSplit(Split split) => Models.Where(m => m.Split == split);

    /// <summary>
    /// Reads a complete dataset folder. <c>models.csv</c> is optional (a hand-made folder of
    /// <c>graphs/</c> and <c>labels.csv</c> works: the models are then the ids of <c>labels.csv</c>).
    /// Throws <see cref="DatasetException"/> when <c>dataset.json</c> or <c>labels.csv</c> is missing or invalid,
    /// a label names an unknown model, a model has two labels for one target, a graph file is missing (or, with
    /// <paramref name="verifyGraphs"/>, differs from its recorded SHA-256), or <c>splits.csv</c> does not cover
    /// exactly the models.
    /// </summary>
    public static DatasetFolder Load(string directory, bool verifyGraphs = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string dir = Path.GetFullPath(directory);
        DatasetManifest manifest = DatasetJson.ReadManifest(dir);
        string labelsPath = Path.Combine(dir, DatasetLayout.LabelsFile);
        if (!File.Exists(labelsPath))
        {
            throw new DatasetException($"{dir}: {DatasetLayout.LabelsFile} is missing");
        }
        List<LabelRow> labels = LabelsCsv.Read(labelsPath);
        List<ModelInfo> infos = ReadModels(dir, labels);

        var labelsById = new Dictionary<string, Dictionary<string, LabelRow>>(StringComparer.Ordinal);
        foreach (ModelInfo info in infos)
        {
            if (!labelsById.TryAdd(info.ModelId, new Dictionary<string, LabelRow>(StringComparer.Ordinal)))
            {
                throw new DatasetException($"{dir}: model {Limits.Echo(info.ModelId)} is listed twice in {DatasetLayout.ModelsFile}");
            }
        }
        foreach (LabelRow label in labels)
        {
            if (!labelsById.TryGetValue(label.ModelId, out Dictionary<string, LabelRow>? byTarget))
            {
                throw new DatasetException($"{labelsPath}: model {Limits.Echo(label.ModelId)} is not in {DatasetLayout.ModelsFile}");
            }
            if (!byTarget.TryAdd(label.Target, label))
            {
                throw new DatasetException($"{labelsPath}: model {Limits.Echo(label.ModelId)} has two labels for target {Limits.Echo(label.Target)}");
            }
        }

        string splitsPath = Path.Combine(dir, DatasetLayout.SplitsFile);
        if (manifest.Split?.SplitRule is string rule && !SplitRule.IsKnown(rule))
        {
            throw new DatasetException($"{Path.Combine(dir, DatasetLayout.ManifestFile)}: split by rule '{Limits.Echo(rule)}', which this "
                + $"version does not know (it splits by '{SplitRule.Name}'); run `perfsage dataset split {dir}` again");
        }
        Dictionary<string, Split>? splits = File.Exists(splitsPath) ? DatasetSplits.Read(splitsPath) : null;
        if (splits is not null)
        {
            string? extra = splits.Keys.FirstOrDefault(id => !labelsById.ContainsKey(id));
            if (extra is not null)
            {
                throw new DatasetException($"{splitsPath}: model {Limits.Echo(extra)} is not in the dataset");
            }
        }

        var models = new List<DatasetModel>(infos.Count);
        foreach (ModelInfo info in infos)
        {
            string graph = DatasetLayout.GraphPath(dir, info.ModelId);
            var file = new FileInfo(graph);
            if (!file.Exists)
            {
                throw new DatasetException($"{dir}: graph of model {Limits.Echo(info.ModelId)} is missing ({DatasetLayout.GraphsFolder}/{Limits.Echo(info.ModelId)}.tflite)");
            }
            DatasetInput.Check(graph, Limits.MaxModelBytes, "graph"); // a named pipe or a device is no graph
            if (verifyGraphs && info.GraphSha256.Length > 0
                && (file.Length != info.GraphBytes || GraphHash.Sha256File(graph) != info.GraphSha256))
            {
                throw new DatasetException($"{graph}: differs from the size or SHA-256 recorded in {DatasetLayout.ModelsFile}");
            }
            Split? split = null;
            if (splits is not null)
            {
                split = splits.TryGetValue(info.ModelId, out Split s) ? s
                    : throw new DatasetException($"{splitsPath}: model {Limits.Echo(info.ModelId)} has no split; run `perfsage dataset split` again");
            }
            models.Add(new DatasetModel(info, graph, labelsById[info.ModelId], split));
        }
        return new DatasetFolder(dir, manifest, models, labels, splits is not null);
    }

    private static List<ModelInfo> ReadModels(string dir, List<LabelRow> labels)
    {
        string path = Path.Combine(dir, DatasetLayout.ModelsFile);
        if (File.Exists(path))
        {
            return ModelsCsv.Read(path);
        }
        var infos = new List<ModelInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (LabelRow label in labels)
        {
            if (seen.Add(label.ModelId))
            {
                string graph = DatasetLayout.GraphPath(dir, label.ModelId);
                bool exists = File.Exists(graph);
                infos.Add(new ModelInfo(label.ModelId, "", "", exists ? new FileInfo(graph).Length : 0,
                    exists ? GraphHash.Sha256File(graph) : "", "", new Dictionary<string, string>()));
            }
        }
        return infos;
    }
}
