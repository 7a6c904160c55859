using PerfSage.Graph.Features;
using PerfSage.Model.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>Which parameters of a new head learn (the rest stay at the donor head's values).</summary>
public enum HeadFitLayers
{
    /// <summary>Only the ln offset: the donor head shifted by a constant ratio.</summary>
    Offset,

    /// <summary>The offset, the node term output layer (64→2) and the graph term (64→1); the node hidden layer stays the donor's.</summary>
    Output,

    /// <summary>Every parameter of the head and the offset.</summary>
    All,

    /// <summary><see cref="All"/> for a head fitted on at most <see cref="HeadFitOptions.AllLayersUpTo"/> graphs,
    /// <see cref="Output"/> above (learning the node hidden layer costs a pass over every node of every graph per step).</summary>
    Auto,
}

/// <summary>How <see cref="HeadFitter"/> fits a new head. The defaults are the recipe chosen in docs/MODEL.md ("New heads (few-shot)").</summary>
public sealed record HeadFitOptions
{
    /// <summary>Which parameters learn.</summary>
    public HeadFitLayers Layers { get; init; } = HeadFitLayers.Auto;

    /// <summary>With <see cref="HeadFitLayers.Auto"/>: the most labelled graphs a head learns all its layers from.</summary>
    public int AllLayersUpTo { get; init; } = 1000;

    /// <summary>Full-batch Adam steps.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Adam's learning rate at the first step; a cosine takes it to 1 % of that at the last.</summary>
    public double LearningRate { get; init; } = 1e-2;

    /// <summary>λ of the pull toward the donor: the loss (mean |ln ratio| over k graphs) adds λ · (10 / k) · Σ (θ − θ_donor)² over
    /// the learning head parameters.</summary>
    public double DonorPull { get; init; } = 1e-2;

    /// <summary>CPU threads for libtorch (0 = one per core).</summary>
    public int Threads { get; init; }

    /// <summary>Told one line per finished step of a long fit (the trunk pass, each head) with its time; null = silent.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative step count or thread count, a learning rate that is not positive, a negative pull.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Steps, nameof(Steps));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"learning rate {LearningRate} must be a positive number");
        }
        if (!(DonorPull >= 0) || !double.IsFinite(DonorPull))
        {
            throw new ArgumentOutOfRangeException(nameof(DonorPull), $"donor pull {DonorPull} must be 0 or more");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(Threads, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfNegative(AllLayersUpTo, nameof(AllLayersUpTo));
    }

    /// <summary>The layers that learn for a head fitted on <paramref name="graphs"/> labelled graphs.</summary>
    public HeadFitLayers LayersFor(int graphs) =>
        Layers != HeadFitLayers.Auto ? Layers : graphs <= AllLayersUpTo ? HeadFitLayers.All : HeadFitLayers.Output;
}

/// <summary>A head fitted by <see cref="HeadFitter"/>: its offset, the donor it started from and its weights by parameter name.</summary>
public sealed record FittedHead
{
    public required HeadKey Key { get; init; }

    /// <summary>The base model's head it started from.</summary>
    public required string Donor { get; init; }

    /// <summary>The ln offset (donor offset + the fitted shift).</summary>
    public required double LogOffset { get; init; }

    /// <summary>Labelled graphs it was fitted on.</summary>
    public required int TrainCount { get; init; }

    /// <summary>Mean and standard deviation of the ln labels it was fitted on.</summary>
    public required double LogMean { get; init; }

    public required double LogStd { get; init; }

    /// <summary>Mean |ln ŷ − ln y| on the graphs it was fitted on, after fitting.</summary>
    public required double TrainLoss { get; init; }

    /// <summary>The graph variant it was fitted on (chosen from its training labels), or null without variants.</summary>
    public GraphChoice? Graph { get; init; }

    /// <summary>The head's weights, row-major.</summary>
    internal HeadWeights<float[]> Weights { get; init; } = HeadWeights.Names.Map(_ => Array.Empty<float>());
}

/// <summary>
/// Fits new heads (a new board) over a base model's frozen trunk from a few labelled graphs, fast: the trunk runs
/// once per distinct graph (<see cref="TrunkCache"/>), then only the head learns, by full-batch Adam on the cached
/// embeddings. A head starts as the base head of the same metric whose predictions differ from the labels by the
/// most constant ln ratio (the donor), shifted by the median ln ratio, and is pulled toward the donor by an L2 term,
/// so 10 labels cannot pull it far. The heads of the base model and its trunk are never changed: the result is a
/// copy with the new heads added, the old weights bit-identical. No randomness: the same inputs and thread count
/// give the same head.
/// </summary>
public static class HeadFitter
{
    /// <summary>The fewest labelled graphs a new head is fitted from.</summary>
    public const int MinimumLabels = 10;

    /// <summary>
    /// A copy of <paramref name="baseModel"/> with a head <c>target/metric</c> for every metric that has at least
    /// <see cref="MinimumLabels"/> positive labels of <paramref name="target"/> in <paramref name="samples"/> (graphs
    /// without operators are left out; the split is not looked at: every labelled graph is used).
    /// </summary>
    /// <exception cref="ArgumentException">The base model already has <paramref name="target"/>; no metric of it has
    /// enough labels; a bad target name.</exception>
    public static TrainedModel AddHeads(TrainedModel baseModel, IReadOnlyList<TrainingSample> samples, string target, HeadFitOptions? options = null) =>
        AddHeads(baseModel, samples, [target], options);

    /// <summary>
    /// A copy of <paramref name="baseModel"/> with heads for several new targets at once: for each target, a head
    /// <c>target/metric</c> for every metric with at least <see cref="MinimumLabels"/> positive labels in
    /// <paramref name="samples"/> (graphs without operators are left out; every labelled graph is used, whatever its split).
    /// The trunk runs once over the graphs of all the targets; each head starts from the base model's heads (donors), never
    /// from another head added in the same call, so the result does not depend on the order of <paramref name="targets"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No target, a target named twice, a target the base model already has, a target
    /// with no metric of enough labels, a bad target name.</exception>
    public static TrainedModel AddHeads(TrainedModel baseModel, IReadOnlyList<TrainingSample> samples, IReadOnlyList<string> targets,
        HeadFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            throw new ArgumentException("no target to add heads for", nameof(targets));
        }
        options ??= new HeadFitOptions();
        options.Validate();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string target in targets)
        {
            HeadKey.ValidateTarget(target);
            if (!seen.Add(target))
            {
                throw new ArgumentException($"target '{target}' is named twice", nameof(targets));
            }
            if (baseModel.Targets.Contains(target, StringComparer.Ordinal))
            {
                throw new ArgumentException($"the base model already has target '{target}'; choose a new name", nameof(targets));
            }
        }

        // Every labelled graph with operators of the targets, in one list shared by every head (cache row = index).
        var rowOf = new int[samples.Count];
        var graphs = new List<GraphFeatures>();
        var wantedTargets = new HashSet<string>(targets, StringComparer.Ordinal);
        for (int i = 0; i < samples.Count; i++)
        {
            TrainingSample s = samples[i];
            bool use = s.Features.NodeCount > 0 && s.Labels.Any(l => wantedTargets.Contains(l.Key.Target) && l.Value > 0 && double.IsFinite(l.Value));
            rowOf[i] = use ? graphs.Count : -1;
            if (use)
            {
                graphs.Add(s.Features);
            }
        }
        bool variants = samples.Select(s => s.GraphVariant).OfType<string>().Distinct(StringComparer.Ordinal).Skip(1).Any();
        var wanted = new List<(HeadKey Key, List<int> Rows, List<double> Logs)>();
        var choices = new Dictionary<string, GraphChoice?>(StringComparer.Ordinal);
        var labelled = new Dictionary<string, int>(StringComparer.Ordinal);
        EnsureLoaded(options);
        var fitted = new List<FittedHead>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (TrunkCache cache = TrunkCache.Build(baseModel, graphs))
        {
            options.Progress?.Invoke(FormattableString.Invariant($"trunk over {graphs.Count} labelled graphs: {clock.Elapsed.TotalSeconds:F1} s"));
            foreach (string target in targets)
            {
                GraphChoice? choice = variants ? ChooseGraph(cache, samples, rowOf, target, options) : Given(samples, target);
                choices[target] = choice;
                labelled[target] = samples.Where(s => Of(s, choice) && s.Labels.Keys.Any(k => k.Target == target))
                    .Select(s => s.MeasurementId).Distinct(StringComparer.Ordinal).Count();
                var counts = new List<string>();
                int enough = 0;
                foreach (Metric metric in MetricNames.All)
                {
                    var rows = new List<int>();
                    var logs = new List<double>();
                    for (int i = 0; i < samples.Count; i++)
                    {
                        TrainingSample s = samples[i];
                        if (rowOf[i] >= 0 && Of(s, choice) && s.Labels.TryGetValue((target, metric), out double y) && y > 0 && double.IsFinite(y))
                        {
                            rows.Add(rowOf[i]);
                            logs.Add(Math.Log(y));
                        }
                    }
                    if (rows.Count == 0)
                    {
                        continue;
                    }
                    counts.Add($"{MetricNames.Name(metric)}: {rows.Count}");
                    if (rows.Count >= MinimumLabels)
                    {
                        wanted.Add((new HeadKey(target, metric), rows, logs));
                        enough++;
                    }
                }
                if (enough == 0)
                {
                    throw new ArgumentException(
                        $"target '{target}' needs at least {MinimumLabels} labelled graphs with operators for one metric; it has "
                        + (counts.Count == 0 ? "none" : string.Join(", ", counts)), nameof(samples));
                }
            }
            int done = 0;
            foreach ((HeadKey key, List<int> rows, List<double> logs) in wanted)
            {
                clock.Restart();
                FittedHead head = Fit(cache, [.. rows], [.. logs], key, options) with { Graph = choices[key.Target] };
                fitted.Add(head);
                options.Progress?.Invoke(FormattableString.Invariant(
                    $"head {++done}/{wanted.Count} {key.Key}: {rows.Count} graphs, donor {head.Donor}, train |ln ratio| {head.TrainLoss:F4}, {clock.Elapsed.TotalSeconds:F1} s"));
            }
        }
        return WithHeads(baseModel, fitted, labelled);
    }

    /// <summary>True when <paramref name="sample"/> is of the chosen variant (every sample without a choice).</summary>
    private static bool Of(TrainingSample sample, GraphChoice? choice) => choice is null || sample.GraphVariant == choice.Graph;

    /// <summary>The variant of <paramref name="target"/>'s heads among the samples' graph variants, chosen from its latency
    /// labels (the first metric with labels when it has none) by <see cref="GraphChooser"/>.</summary>
    private static GraphChoice? ChooseGraph(TrunkCache cache, IReadOnlyList<TrainingSample> samples, int[] rowOf, string target, HeadFitOptions options)
    {
        Metric metric = MetricNames.All.Where(m => samples.Any(s => s.Labels.ContainsKey((target, m)))).DefaultIfEmpty(Metric.LatencyMs)
            .OrderBy(m => m == Metric.LatencyMs ? 0 : 1).First();
        var key = new HeadKey(target, metric);
        DrawItems items = DrawItems.Of(samples, key, i => rowOf[i]);
        if (items.Count == 0 || items.Variants.Count < 2)
        {
            return null;
        }
        return GraphChooser.Choose(cache, [.. items.Variants.Select(v => v!)], items.Rows, [.. items.Actual.Select(y => Math.Log(y))], key, options);
    }

    /// <summary>The one variant the samples labelled for <paramref name="target"/> are (a variant the user forced), or null.</summary>
    private static GraphChoice? Given(IReadOnlyList<TrainingSample> samples, string target)
    {
        string[] variants = [.. samples.Where(s => s.Labels.Keys.Any(k => k.Target == target)).Select(s => s.GraphVariant).Distinct()
            .OfType<string>()];
        return variants.Length == 1 ? new GraphChoice(variants[0], 0, []) : null;
    }

    internal static void EnsureLoaded(HeadFitOptions options) =>
        TorchRuntime.EnsureLoaded(options.Threads == 0 ? Environment.ProcessorCount : options.Threads, TorchRuntime.DefaultSeed);

    /// <summary>Fits head <paramref name="key"/> on cached graphs <paramref name="rows"/> with ln labels <paramref name="logY"/>.</summary>
    internal static FittedHead Fit(TrunkCache cache, int[] rows, double[] logY, HeadKey key, HeadFitOptions options)
    {
        if (rows.Length == 0 || rows.Length != logY.Length)
        {
            throw new ArgumentException($"{rows.Length} graphs for {logY.Length} labels", nameof(rows));
        }
        TrainedModel model = cache.Model;
        (int donor, double shift) = BestDonor(cache, rows, logY, key.Metric);
        HeadManifest donorHead = model.Manifest.Heads.Single(h => h.Key == model.Heads[donor].Key);
        double offset = donorHead.LogOffset + shift;
        double mean = logY.Average();
        double std = Math.Sqrt(logY.Sum(v => (v - mean) * (v - mean)) / logY.Length);

        HeadWeights<float[]> start;
        HeadWeights<long[]> shapes;
        using (NewDisposeScope())
        {
            HeadWeights<Tensor> donorWeights = HeadWeights.FromState(model.Net.state_dict(), donorHead.Key);
            start = donorWeights.Map(t => t.cpu().data<float>().ToArray());
            shapes = donorWeights.Map(t => t.shape);
        }

        HeadWeights<Parameter>? parameters = null;
        Parameter delta = new(zeros(1), requires_grad: true);
        double loss;
        try
        {
            parameters = start.Zip(shapes, (values, shape) => new Parameter(tensor(values, shape), requires_grad: false));
            loss = Train(cache, rows, logY, offset, parameters, delta, options);
            offset += delta.data<float>()[0];
            HeadWeights<float[]> weights = parameters.Map(q => q.data<float>().ToArray());
            return new FittedHead
            {
                Key = key,
                Donor = donorHead.Key,
                LogOffset = offset,
                TrainCount = rows.Length,
                LogMean = mean,
                LogStd = std,
                TrainLoss = loss,
                Weights = weights,
            };
        }
        finally
        {
            delta.Dispose();
            foreach (Parameter p in parameters?.All ?? [])
            {
                p.Dispose();
            }
        }
    }

    /// <summary>ln predictions of <paramref name="head"/> for cached graphs <paramref name="rows"/>.</summary>
    internal static double[] PredictLog(TrunkCache cache, FittedHead head, IReadOnlyList<int> rows, int chunkSize = 2048)
    {
        var result = new double[rows.Count];
        using IDisposable noGrad = no_grad();
        using DisposeScope outer = NewDisposeScope();
        HeadWeights<Tensor> w = head.Weights.Zip(HeadWeights.Shapes(cache.Model.Manifest.Network), (values, shape) => tensor(values, shape));
        for (int first = 0; first < rows.Count; first += chunkSize)
        {
            int end = Math.Min(rows.Count, first + chunkSize);
            using DisposeScope scope = NewDisposeScope();
            TrunkCache.Gathered g = cache.Gather(rows.Skip(first).Take(end - first).ToArray());
            float[] log = HeadLog(Readout.Hidden(g.Nodes, w), g, w, null).data<float>().ToArray();
            for (int i = first; i < end; i++)
            {
                result[i] = log[i - first] + head.LogOffset;
            }
        }
        return result;
    }

    /// <summary>
    /// The base head (of <paramref name="metric"/> where the base has one, else any) whose ln predictions on
    /// <paramref name="rows"/> differ from <paramref name="logY"/> by the smallest variance, with the median of
    /// that difference (the shift minimising mean |ln ratio|, the training loss).
    /// </summary>
    private static (int Head, double Shift) BestDonor(TrunkCache cache, int[] rows, double[] logY, Metric metric)
    {
        IReadOnlyList<HeadKey> heads = cache.Model.Heads;
        List<int> candidates = Enumerable.Range(0, heads.Count).Where(k => heads[k].Metric == metric).ToList();
        if (candidates.Count == 0)
        {
            candidates = [.. Enumerable.Range(0, heads.Count)];
        }
        int found = LowestResidualVariance(candidates, logY, (i, k) => cache.BaseLog[rows[i]][k]);
        int best = found >= 0 ? found : candidates[0];
        double[] shifts = rows.Select((r, i) => logY[i] - cache.BaseLog[r][best]).Order().ToArray();
        int n = shifts.Length;
        double median = n % 2 == 1 ? shifts[n / 2] : 0.5 * (shifts[(n / 2) - 1] + shifts[n / 2]);
        return (best, median);
    }

    /// <summary>
    /// The candidate base head whose ln predictions differ from <paramref name="logY"/> by the most constant amount: the
    /// smallest variance of ln y − <paramref name="baseLog"/>(graph, head) over the labelled graphs (a new board is mostly a
    /// rescaled known one); −1 when no variance is finite. Shared by <see cref="Trainer"/>'s donor heads and the few-shot fit.
    /// </summary>
    internal static int LowestResidualVariance(IReadOnlyList<int> candidates, IReadOnlyList<double> logY, Func<int, int, double> baseLog)
    {
        int best = -1;
        double bestVariance = double.PositiveInfinity;
        foreach (int k in candidates)
        {
            double[] residual = logY.Select((y, i) => y - baseLog(i, k)).ToArray();
            double mean = residual.Average();
            double variance = residual.Sum(v => (v - mean) * (v - mean)) / residual.Length;
            if (variance < bestVariance)
            {
                bestVariance = variance;
                best = k;
            }
        }
        return best;
    }

    private static double Train(TrunkCache cache, int[] rows, double[] logY, double offset, HeadWeights<Parameter> p, Parameter delta,
        HeadFitOptions options)
    {
        using DisposeScope scope = NewDisposeScope();
        HeadWeights<Tensor> w = p.Map(q => (Tensor)q);
        TrunkCache.Gathered g = cache.Gather(rows);
        Tensor target = tensor(logY.Select(v => (float)(v - offset)).ToArray());
        Tensor? hidden = null;
        var learning = new List<Parameter> { delta };
        HeadFitLayers layers = options.LayersFor(rows.Length);
        if (layers == HeadFitLayers.Output)
        {
            using (no_grad())
            {
                hidden = Readout.Hidden(g.Nodes, w);
            }
            learning.AddRange(p.OutputLayers);
        }
        else if (layers == HeadFitLayers.All)
        {
            learning.AddRange(p.All);
        }
        var anchors = new Dictionary<Parameter, Tensor>();
        foreach (Parameter q in learning.Where(q => !ReferenceEquals(q, delta)))
        {
            q.requires_grad = true;
            anchors[q] = q.detach().clone();
        }
        double loss = double.NaN;
        double? first = null;
        int steps = layers == HeadFitLayers.Offset ? 0 : options.Steps;
        using var optimizer = new AdamOptimizer(learning, options.LearningRate);
        var schedule = new CosineSchedule(options.LearningRate, 0.01 * options.LearningRate, steps);
        // A prior of fixed strength against a loss that is a mean over the graphs: the pull weighs 10/k as much at k graphs,
        // so 10 labels stay near the donor and 900 can move away from it.
        using Scalar pull = (options.DonorPull * MinimumLabels / rows.Length).ToScalar();
        using Scalar count = ((double)rows.Length).ToScalar();
        for (int step = 1; step <= steps; step++)
        {
            using DisposeScope stepScope = NewDisposeScope();
            optimizer.LearningRate = schedule.At(step);
            foreach (Parameter q in learning)
            {
                q.grad?.zero_();
            }
            Tensor z = hidden ?? Readout.Hidden(g.Nodes, w);
            Tensor fit = HeadLog(z, g, w, delta).sub(target).abs().sum().div(count);
            Tensor total = fit;
            if (options.DonorPull > 0)
            {
                foreach ((Parameter q, Tensor anchor) in anchors)
                {
                    // d·d, not d.square(): TorchSharp's square() is pow with a temporary Scalar the GC may finalise
                    // during the native call ("Unknown scalar type", seen once in CI; see Nn/Scalars.cs).
                    Tensor d = q.sub(anchor);
                    total = total.add(d.mul(d).sum().mul(pull), Scalars.One);
                }
            }
            total.backward();
            optimizer.Step();
            loss = fit.item<float>();
            first ??= loss;
            ThrowIfDiverged(step, loss, first.Value, options.LearningRate);
        }
        using (no_grad())
        {
            Tensor z = hidden ?? Readout.Hidden(g.Nodes, w);
            loss = HeadLog(z, g, w, delta).sub(target).abs().mean().item<float>();
        }
        ThrowIfDiverged(steps, loss, first ?? loss, options.LearningRate);
        foreach (Parameter q in learning)
        {
            q.requires_grad = false;
        }
        return loss;
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> when the fit's loss is not finite or grew past
    /// <see cref="Trainer.DivergenceFactor"/> times its first value (at least 1).</summary>
    private static void ThrowIfDiverged(int step, double loss, double first, double learningRate)
    {
        if (double.IsFinite(loss) && loss <= Trainer.DivergenceFactor * Math.Max(1, first))
        {
            return;
        }
        throw new TrainingDivergedException(FormattableString.Invariant(
            $"fitting the new head diverged at step {step} (loss {loss:G4}, first {first:G4}); lower the learning rate (now {learningRate:G4})"));
    }

    /// <summary>ln ŷ per graph [G] of one head over cached graphs <paramref name="g"/> from its hidden layer
    /// (<see cref="Readout"/>), less the offset (plus <paramref name="delta"/> when given).</summary>
    private static Tensor HeadLog(Tensor hidden, TrunkCache.Gathered g, HeadWeights<Tensor> w, Tensor? delta)
    {
        Tensor terms = Readout.NodeTerms(hidden, w);   // [N, 2]
        return Readout.Combine(
            Readout.Dense(terms.select(1, 0), g.DensePosition, g.GraphCount, g.MaxNodes),
            Readout.Dense(terms.select(1, 1), g.DensePosition, g.GraphCount, g.MaxNodes),
            Readout.GraphTerm(g.Graphs, w),
            delta);
    }

    /// <summary>A copy of <paramref name="baseModel"/> with <paramref name="heads"/> added: every base parameter copied
    /// unchanged, the new heads' parameters from the fit; <paramref name="labelledSamples"/> gives, per new target, the
    /// samples labelled for it (the manifest's samples per target).</summary>
    internal static TrainedModel WithHeads(TrainedModel baseModel, IReadOnlyList<FittedHead> heads, IReadOnlyDictionary<string, int> labelledSamples)
    {
        ModelManifest b = baseModel.Manifest;
        var manifests = new SortedDictionary<string, HeadManifest>(StringComparer.Ordinal);
        foreach (HeadManifest h in b.Heads)
        {
            manifests[h.Key] = h;
        }
        foreach (FittedHead f in heads)
        {
            manifests[f.Key.Key] = new HeadManifest
            {
                Key = f.Key.Key,
                Target = f.Key.Target,
                Metric = MetricNames.Name(f.Key.Metric),
                LogMean = f.LogMean,
                LogStd = f.LogStd,
                LogOffset = f.LogOffset,
                TrainCount = f.TrainCount,
                Graph = f.Graph?.Graph,
                GraphChoice = f.Graph?.Describe(),
            };
        }
        var net = new PerfSageNet(b.Network, manifests.Values.Select(Trainer.ToSpec).ToList());
        try
        {
            using (var stream = new MemoryStream(NetRunner.SaveWeights(baseModel.Net)))
            {
                net.load(stream, strict: false);
            }
            using (no_grad())
            {
                Dictionary<string, Tensor> state = net.state_dict();
                foreach (FittedHead f in heads)
                {
                    foreach ((Tensor p, float[] values) in HeadWeights.FromState(state, f.Key.Key).All.Zip(f.Weights.All))
                    {
                        using Tensor value = tensor(values, p.shape);
                        p.copy_(value);
                    }
                }
            }
            foreach (Parameter p in net.parameters())
            {
                p.requires_grad = false;
            }
            net.to(baseModel.Device);
            var perTarget = new SortedDictionary<string, int>(b.Data.SamplesPerTarget.ToDictionary(), StringComparer.Ordinal);
            foreach (string t in heads.Select(h => h.Key.Target).Distinct())
            {
                perTarget[t] = labelledSamples[t];
            }
            ModelManifest manifest = b with
            {
                Heads = [.. manifests.Values],
                Training = b.Training with
                {
                    FrozenTrunk = true,
                    BaseModelHeads = b.Heads.Select(h => h.Key).ToList(),
                },
                Data = b.Data with { SamplesPerTarget = perTarget },
                WeightsSha256 = null,
            };
            return new TrainedModel(net, baseModel.Device, manifest, baseModel.Metrics, []);
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }
}
