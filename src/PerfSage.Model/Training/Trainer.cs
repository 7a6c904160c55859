using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PerfSage.Graph.Features;
using PerfSage.Model.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>
/// Trains a <c>PerfSageNet</c> on labelled graphs (the library behind <c>perfsage train</c>).
/// <list type="bullet">
/// <item>Heads: one per (target, metric) with labels in the training split, filtered by
/// <see cref="TrainOptions.Targets"/> and <see cref="TrainOptions.Metrics"/>.</item>
/// <item>Normalisation: feature columns are standard-scaled with training-split statistics; each head's
/// output is offset by its ln-label mean (see <c>PerfSageNet</c>).</item>
/// <item>Loss: mean |ln ŷ − ln y| over all labelled (graph, head) pairs of a batch (a relative error that
/// weighs a 2× over- and under-prediction alike). Adam, cosine learning-rate decay, gradient clipping.</item>
/// <item>Early stopping on the validation loss (<see cref="TrainOptions.Patience"/>); the best epoch's
/// weights are kept. Without validation data the last epoch's are.</item>
/// <item>Determinism: weights are initialised after <c>torch.manual_seed(seed)</c>; the order of epoch e is a
/// SplitMix64 shuffle seeded by (seed, e), so it does not depend on earlier epochs; nothing else is random
/// (no dropout). Same seed, samples, options and thread count give the same weights.</item>
/// <item>Checkpoints: after every epoch (see <c>Checkpoint</c>); a run started again with the same samples
/// and options resumes after the newest one and ends as the uninterrupted run would.</item>
/// </list>
/// </summary>
public static class Trainer
{
    /// <summary>
    /// A batch loss more than this many times the run's first batch loss (at least 1, so a start near 0 does not
    /// make the bound tiny) means the run diverged. The loss is a mean |ln error|: 1000 ln units is a factor e^1000,
    /// which no learning run passes through on its way to a useful model.
    /// </summary>
    public const double DivergenceFactor = 1000;

    /// <summary>Trains a model. Progress is reported synchronously on the calling thread after each epoch
    /// (after its checkpoint is written, so cancelling from the report loses nothing).</summary>
    /// <exception cref="ArgumentException">No training samples or no usable labels; bad options.</exception>
    /// <exception cref="ModelFormatException">Features of another schema version.</exception>
    /// <exception cref="CheckpointException">A checkpoint made for other data or options, or a damaged one.</exception>
    /// <exception cref="TorchRuntimeException">libtorch did not load, or CUDA was requested where there is none.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the newest checkpoint (if any) stays for a resume.</exception>
    /// <exception cref="TrainingDivergedException">The loss became non-finite or grew past <see cref="DivergenceFactor"/> times
    /// its start; the newest checkpoint (written before the divergence) stays.</exception>
    public static TrainedModel Train(IReadOnlyList<TrainingSample> samples, TrainOptions options,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        TorchRuntime.EnsureLoaded(threads, options.Seed);
        Device device = Devices.Resolve(options.Device);
        var run = new Run(samples, options, threads, device);
        return run.Execute(progress, cancellationToken);
    }

    /// <summary>Learning rate of <paramref name="epoch"/> (1-based): a cosine from the initial rate at epoch 1
    /// to the minimum at the last epoch.</summary>
    internal static double LearningRateAt(TrainOptions options, int epoch)
    {
        if (options.Epochs <= 1)
        {
            return options.LearningRate;
        }
        double t = (epoch - 1) / (double)(options.Epochs - 1);
        return options.MinLearningRate + (0.5 * (options.LearningRate - options.MinLearningRate) * (1 + Math.Cos(Math.PI * t)));
    }

    /// <summary>The order of the training samples in epoch <paramref name="epoch"/>.</summary>
    internal static int[] EpochOrder(int count, long seed, int epoch)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        var rng = new SplitMix64(SplitMix64.Mix((ulong)seed) ^ ((ulong)epoch * 0xD1B54A32D192ED03UL));
        rng.Shuffle(order);
        return order;
    }

    /// <summary>One training run: the prepared data, the network and the optimiser.</summary>
    private sealed class Run
    {
        private readonly TrainOptions _options;
        private readonly int _threads;
        private readonly Device _device;
        private readonly IReadOnlyList<TrainingSample> _all;
        private readonly List<TrainingSample> _train = [];
        private readonly List<TrainingSample> _validation = [];
        private readonly List<TrainingSample> _test = [];
        private readonly TrainedModel? _base;
        private readonly FeatureStatistics _normalisation;
        private readonly double _meanNodeCount;
        private readonly List<HeadManifest> _headManifests = [];
        private readonly HashSet<string> _trainedHeads = new(StringComparer.Ordinal);
        private readonly int _skippedLabels;
        private readonly Dictionary<string, string> _donors = new(StringComparer.Ordinal);
        private float[][]? _basePredictions;

        public Run(IReadOnlyList<TrainingSample> samples, TrainOptions options, int threads, Device device)
        {
            _options = options;
            _threads = threads;
            _device = device;
            _all = samples;
            _base = options.BaseModel;
            foreach (TrainingSample s in samples)
            {
                ArgumentNullException.ThrowIfNull(s, nameof(samples));
                if (s.Features.SchemaVersion != FeatureSchema.Version)
                {
                    throw new ModelFormatException(
                        $"{s.ModelId}: features of schema version {s.Features.SchemaVersion}, this build uses feature schema version {FeatureSchema.Version}");
                }
                (s.Split switch { Split.Train => _train, Split.Validation => _validation, _ => _test }).Add(s);
            }
            if (_train.Count == 0)
            {
                throw new ArgumentException($"none of the {samples.Count} samples is in the training split", nameof(samples));
            }
            if (_base is not null && _base.Manifest.FeatureSchemaVersion != FeatureSchema.Version)
            {
                throw new ModelFormatException($"the base model uses feature schema version {_base.Manifest.FeatureSchemaVersion}, this build {FeatureSchema.Version}");
            }

            // Heads with training labels, and their ln-label statistics.
            var logs = new SortedDictionary<HeadKey, List<double>>();
            foreach (TrainingSample s in _train)
            {
                foreach (((string target, Metric metric), double value) in s.Labels)
                {
                    if (!Wanted(target, metric))
                    {
                        continue;
                    }
                    if (!(value > 0) || !double.IsFinite(value))
                    {
                        _skippedLabels++;
                        continue;
                    }
                    HeadKey.ValidateTarget(target);
                    var key = new HeadKey(target, metric);
                    if (!logs.TryGetValue(key, out List<double>? list))
                    {
                        logs[key] = list = [];
                    }
                    list.Add(Math.Log(value));
                }
            }
            if (logs.Count == 0)
            {
                throw new ArgumentException("the training split has no positive labels for the requested targets and metrics", nameof(samples));
            }

            _normalisation = _base?.Manifest.Normalisation ?? FeatureStatistics.Fit(_train.Select(s => s.Features).ToList());
            _meanNodeCount = _base?.Manifest.Training.MeanNodeCount ?? _train.Average(s => (double)s.Features.NodeCount);

            var heads = new SortedDictionary<string, HeadManifest>(StringComparer.Ordinal);
            if (_base is not null)
            {
                foreach (HeadManifest h in _base.Manifest.Heads)
                {
                    heads[h.Key] = h;
                }
            }
            foreach ((HeadKey key, List<double> values) in logs)
            {
                double mean = values.Average();
                double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
                double offset = mean - Math.Log(_meanNodeCount + 2);
                if (_base is not null && !heads.ContainsKey(key.Key) && BestDonor(key) is (string donor, double shift))
                {
                    // A new head starts as the base head of the same metric that best explains its labels, shifted
                    // by the mean ln ratio: a new board is mostly a rescaled known one, and few labels suffice.
                    _donors[key.Key] = donor;
                    offset = heads[donor].LogOffset + shift;
                }
                heads[key.Key] = new HeadManifest
                {
                    Key = key.Key,
                    Target = key.Target,
                    Metric = MetricNames.Name(key.Metric),
                    LogMean = mean,
                    LogStd = std,
                    LogOffset = offset,
                    TrainCount = values.Count,
                };
                _trainedHeads.Add(key.Key);
            }
            _headManifests.AddRange(heads.Values);
        }

        /// <summary>
        /// The base head of <paramref name="head"/>'s metric whose predictions on the training split differ from
        /// the new labels by the most constant ln ratio (smallest variance), with that mean ratio; null when the
        /// base has no head of the metric.
        /// </summary>
        private (string Donor, double Shift)? BestDonor(HeadKey head)
        {
            var candidates = new List<int>();
            for (int k = 0; k < _base!.Heads.Count; k++)
            {
                if (_base.Heads[k].Metric == head.Metric)
                {
                    candidates.Add(k);
                }
            }
            if (candidates.Count == 0)
            {
                return null;
            }
            var labelled = new List<(int Sample, double LogY)>();
            for (int i = 0; i < _train.Count; i++)
            {
                if (_train[i].Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y))
                {
                    labelled.Add((i, Math.Log(y)));
                }
            }
            _basePredictions ??= _base.PredictLog(_train.Select(s => s.Features).ToList(), _options.EvaluationBatchSize);
            double[] logY = labelled.Select(l => l.LogY).ToArray();
            int best = HeadFitter.LowestResidualVariance(candidates, logY, (i, k) => _basePredictions[labelled[i].Sample][k]);
            if (best < 0)
            {
                return null;
            }
            double shift = labelled.Average(l => l.LogY - _basePredictions[l.Sample][best]);
            return (_base.Heads[best].Key, shift);
        }

        public TrainedModel Execute(IProgress<EpochReport>? progress, CancellationToken cancellationToken)
        {
            NetworkOptions network = _base?.Manifest.Network ?? _options.Network;
            torch.manual_seed(_options.Seed);
            var net = new PerfSageNet(network, _headManifests.Select(ToSpec).ToList());
            try
            {
                if (_base is not null)
                {
                    // Trunk and every head the base has; new heads keep their fresh initialisation.
                    using var stream = new MemoryStream(NetRunner.SaveWeights(_base.Net));
                    net.load(stream, strict: false);
                    CopyDonorHeads(net);
                }
                net.to(_device);
                return Train(net, progress, cancellationToken);
            }
            catch
            {
                net.Dispose();
                throw;
            }
        }

        /// <summary>Copies each donor head's parameters into the new head it initialises.</summary>
        private void CopyDonorHeads(PerfSageNet net)
        {
            if (_donors.Count == 0)
            {
                return;
            }
            Dictionary<string, Tensor> source = _base!.Net.state_dict();
            using IDisposable noGrad = no_grad();
            foreach ((string name, Parameter p) in net.named_parameters())
            {
                if (name.StartsWith("heads.", StringComparison.Ordinal) && _donors.TryGetValue(HeadKeyOfParameter(name), out string? donor))
                {
                    string suffix = name[("heads." + HeadKeyOfParameter(name)).Length..];
                    p.copy_(source["heads." + donor + suffix]);
                }
            }
        }

        private TrainedModel Train(PerfSageNet net, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
        {
            var trainable = new List<Parameter>();
            foreach ((string name, Parameter p) in net.named_parameters())
            {
                bool isHead = name.StartsWith("heads.", StringComparison.Ordinal);
                bool train = isHead
                    ? _trainedHeads.Contains(HeadKeyOfParameter(name))
                    : !_options.FreezeTrunk;
                p.requires_grad = train;
                if (train)
                {
                    trainable.Add(p);
                }
            }
            using var optimizer = new AdamOptimizer(trainable, _options.LearningRate, _options.WeightDecay);

            GraphFeatures[] trainX = _train.Select(s => _normalisation.Scale(s.Features)).ToArray();
            GraphFeatures[] validationX = _validation.Select(s => _normalisation.Scale(s.Features)).ToArray();
            float[][] trainY = _train.Select(LogLabels).ToArray();
            float[][] validationY = _validation.Select(LogLabels).ToArray();
            int heads = _headManifests.Count;

            string fingerprint = Fingerprint();
            int startEpoch = 1;
            double best = double.PositiveInfinity;
            int bestEpoch = 0, sinceBest = 0;
            bool finished = false;
            byte[]? bestWeights = null;
            var history = new List<EpochReport>();
            if (_options.CheckpointDirectory is { } dir && _options.Resume)
            {
                CheckpointState? state = Checkpoint.TryRestoreLatest(dir, fingerprint, net, optimizer, out bestWeights);
                if (state is not null)
                {
                    startEpoch = state.Epoch + 1;
                    best = state.BestValidationLoss ?? double.PositiveInfinity;
                    bestEpoch = state.BestEpoch;
                    sinceBest = state.EpochsSinceBest;
                    finished = state.Finished;
                    history.AddRange(state.History);
                }
            }

            double? firstLoss = null;
            for (int epoch = startEpoch; epoch <= _options.Epochs && !finished; epoch++)
            {
                double lr = LearningRateAt(_options, epoch);
                optimizer.LearningRate = lr;
                int[] order = EpochOrder(trainX.Length, _options.Seed, epoch);
                net.train();
                long t0 = Stopwatch.GetTimestamp();
                double lossSum = 0;
                long labelCount = 0;
                var batchX = new List<GraphFeatures>(_options.BatchSize);
                for (int start = 0; start < order.Length; start += _options.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int end = Math.Min(order.Length, start + _options.BatchSize);
                    batchX.Clear();
                    var y = new float[(end - start) * heads];
                    var mask = new float[y.Length];
                    int count = 0;
                    for (int i = start; i < end; i++)
                    {
                        batchX.Add(trainX[order[i]]);
                        float[] row = trainY[order[i]];
                        for (int k = 0; k < heads; k++)
                        {
                            if (!float.IsNaN(row[k]))
                            {
                                y[((i - start) * heads) + k] = row[k];
                                mask[((i - start) * heads) + k] = 1;
                                count++;
                            }
                        }
                    }
                    if (count == 0)
                    {
                        continue;
                    }
                    using DisposeScope scope = NewDisposeScope();
                    GraphBatch batch = GraphBatch.Collate(batchX, _device);
                    Tensor target = torch.tensor(y, [end - start, heads], device: _device);
                    Tensor weight = torch.tensor(mask, [end - start, heads], device: _device);
                    net.zero_grad();
                    using Scalar labels = count.ToScalar();
                    Tensor loss = net.forward(batch).sub(target).abs().mul(weight).sum().div(labels);
                    double batchLoss = loss.item<float>();
                    firstLoss ??= batchLoss;
                    ThrowIfDiverged(epoch, batchLoss, firstLoss.Value, _options.LearningRate);
                    loss.backward();
                    if (_options.GradientClipNorm > 0)
                    {
                        nn.utils.clip_grad_norm_(trainable, _options.GradientClipNorm);
                    }
                    optimizer.Step();
                    lossSum += batchLoss * count;
                    labelCount += count;
                }
                double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;

                double? validationLoss = null;
                var mape = new Dictionary<string, double>(StringComparer.Ordinal);
                if (validationX.Length > 0)
                {
                    float[][] predicted = NetRunner.PredictLog(net, _device, validationX, _options.EvaluationBatchSize);
                    validationLoss = Score(predicted, validationY, mape);
                    ThrowIfDiverged(epoch, validationLoss.Value, firstLoss ?? validationLoss.Value, _options.LearningRate, "validation loss");
                }
                bool isBest;
                if (validationLoss is double v)
                {
                    isBest = v < best;
                    if (isBest)
                    {
                        best = v;
                        sinceBest = 0;
                    }
                    else
                    {
                        sinceBest++;
                    }
                }
                else
                {
                    isBest = true; // without validation data the newest weights are the ones kept
                }
                if (isBest)
                {
                    bestEpoch = epoch;
                    bestWeights = validationLoss is null ? null : NetRunner.SaveWeights(net);
                }
                var report = new EpochReport
                {
                    Epoch = epoch,
                    EpochCount = _options.Epochs,
                    TrainLoss = labelCount > 0 ? lossSum / labelCount : 0,
                    ValidationLoss = validationLoss,
                    ValidationMapePercent = mape,
                    LearningRate = lr,
                    TrainSeconds = seconds,
                    GraphsPerSecond = seconds > 0 ? trainX.Length / seconds : 0,
                    IsBest = isBest,
                };
                history.Add(report);
                finished = epoch == _options.Epochs || (_options.Patience > 0 && validationLoss is not null && sinceBest >= _options.Patience);
                if (_options.CheckpointDirectory is { } checkpointDir)
                {
                    Checkpoint.Save(checkpointDir, new CheckpointState
                    {
                        Fingerprint = fingerprint,
                        Epoch = epoch,
                        BestValidationLoss = double.IsFinite(best) ? best : null,
                        BestEpoch = bestEpoch,
                        EpochsSinceBest = sinceBest,
                        Finished = finished,
                        History = history,
                    }, net, optimizer, bestWeights);
                }
                progress?.Report(report);
            }

            if (bestWeights is not null)
            {
                NetRunner.LoadWeights(net, bestWeights);
            }
            foreach (Parameter p in net.parameters())
            {
                p.requires_grad = false;
            }
            var model = new TrainedModel(net, _device, Manifest(history, bestEpoch, best), null, history);
            List<TrainingSample> heldOut = _test.Count > 0 ? _test : _validation;
            if (heldOut.Count > 0)
            {
                ModelMetrics metrics = Evaluation.Evaluate(model, heldOut, _test.Count > 0 ? "test" : "val", _options.EvaluationBatchSize).Metrics;
                model.Metrics = metrics;
            }
            return model;
        }

        /// <summary>Throws <see cref="TrainingDivergedException"/> when <paramref name="loss"/> is not finite or more than
        /// <see cref="DivergenceFactor"/> times <paramref name="first"/> (at least 1).</summary>
        private static void ThrowIfDiverged(int epoch, double loss, double first, double learningRate, string what = "training loss")
        {
            if (double.IsFinite(loss) && loss <= DivergenceFactor * Math.Max(1, first))
            {
                return;
            }
            string why = double.IsFinite(loss)
                ? string.Create(CultureInfo.InvariantCulture, $"{what} {loss:G4}, over {DivergenceFactor:0} times the first batch's {first:G4}")
                : string.Create(CultureInfo.InvariantCulture, $"{what} {loss}");
            throw new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
                $"training diverged at epoch {epoch} ({why}); no model was saved: lower the learning rate (--lr, now {learningRate:G4})"));
        }

        /// <summary>Mean |ln ŷ − ln y| over all labels, filling the MAPE (percent) of each head.</summary>
        private double Score(float[][] predicted, float[][] actual, Dictionary<string, double> mape)
        {
            int heads = _headManifests.Count;
            var apeSum = new double[heads];
            var counts = new int[heads];
            double absSum = 0;
            long total = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                for (int k = 0; k < heads; k++)
                {
                    float y = actual[i][k];
                    if (float.IsNaN(y))
                    {
                        continue;
                    }
                    double d = predicted[i][k] - (double)y;
                    absSum += Math.Abs(d);
                    total++;
                    apeSum[k] += Math.Abs(Math.Exp(d) - 1);
                    counts[k]++;
                }
            }
            for (int k = 0; k < heads; k++)
            {
                if (counts[k] > 0)
                {
                    mape[_headManifests[k].Key] = 100 * apeSum[k] / counts[k];
                }
            }
            return total > 0 ? absSum / total : 0;
        }

        /// <summary>ln labels of a sample in head order; NaN where the head is not trained or the label is absent or unusable.</summary>
        private float[] LogLabels(TrainingSample s)
        {
            var row = new float[_headManifests.Count];
            for (int k = 0; k < row.Length; k++)
            {
                HeadManifest h = _headManifests[k];
                row[k] = float.NaN;
                if (_trainedHeads.Contains(h.Key)
                    && s.Labels.TryGetValue((h.Target, MetricNames.Parse(h.Metric)), out double value)
                    && value > 0 && double.IsFinite(value))
                {
                    row[k] = (float)Math.Log(value);
                }
            }
            return row;
        }

        private bool Wanted(string target, Metric metric) =>
            (_options.Targets is null || _options.Targets.Contains(target)) && (_options.Metrics is null || _options.Metrics.Contains(metric));

        private ModelManifest Manifest(List<EpochReport> history, int bestEpoch, double best)
        {
            TrainingDataSummary? prior = _base?.Manifest.Data;
            var perTarget = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var perSpace = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (TrainingSample s in _all)
            {
                foreach (string target in s.Labels.Where(l => l.Value > 0 && double.IsFinite(l.Value)).Select(l => l.Key.Target).Distinct())
                {
                    perTarget[target] = perTarget.GetValueOrDefault(target) + 1;
                }
                string space = s.Space ?? "unknown";
                perSpace[space] = perSpace.GetValueOrDefault(space) + 1;
            }
            var ops = new SortedSet<string>(prior?.OpsSeen ?? [], StringComparer.Ordinal);
            foreach (TrainingSample s in _train)
            {
                foreach (int op in s.Features.OpIndex)
                {
                    ops.Add(OpVocabulary.NameOf(op));
                }
            }
            return new ModelManifest
            {
                FeatureSchemaVersion = FeatureSchema.Version,
                NodeFeatureCount = FeatureSchema.NodeFeatureCount,
                EdgeFeatureCount = FeatureSchema.EdgeFeatureCount,
                GraphFeatureCount = FeatureSchema.GraphFeatureCount,
                OpVocabularySize = OpVocabulary.Size,
                Normalisation = _normalisation,
                Heads = _headManifests,
                Network = _base?.Manifest.Network ?? _options.Network,
                Training = new TrainingManifest
                {
                    Seed = _options.Seed,
                    Epochs = _options.Epochs,
                    EpochsRun = history.Count == 0 ? 0 : history[^1].Epoch,
                    BestEpoch = bestEpoch,
                    BatchSize = _options.BatchSize,
                    LearningRate = _options.LearningRate,
                    MinLearningRate = _options.MinLearningRate,
                    WeightDecay = _options.WeightDecay,
                    Patience = _options.Patience,
                    GradientClipNorm = _options.GradientClipNorm,
                    Threads = _threads,
                    Device = _device.type == DeviceType.CUDA ? Devices.Cuda : Devices.Cpu,
                    BestValidationLoss = double.IsFinite(best) ? best : null,
                    MeanNodeCount = _meanNodeCount,
                    FrozenTrunk = _options.FreezeTrunk,
                    BaseModelHeads = _base?.Manifest.Heads.Select(h => h.Key).ToList() ?? [],
                },
                Data = new TrainingDataSummary
                {
                    SplitRule = SplitRule.Name,
                    SampleCount = _all.Count,
                    TrainCount = _train.Count,
                    ValidationCount = _validation.Count,
                    TestCount = _test.Count,
                    SamplesPerTarget = perTarget,
                    SamplesPerSpace = perSpace,
                    SkippedLabelCount = _skippedLabels,
                    MacsMin = Math.Min(prior?.MacsMin ?? long.MaxValue, _train.Min(s => s.Features.TotalMacs)),
                    MacsMax = Math.Max(prior?.MacsMax ?? 0, _train.Max(s => s.Features.TotalMacs)),
                    NodeCountMin = Math.Min(prior?.NodeCountMin ?? int.MaxValue, _train.Min(s => s.Features.NodeCount)),
                    NodeCountMax = Math.Max(prior?.NodeCountMax ?? 0, _train.Max(s => s.Features.NodeCount)),
                    OpsSeen = ops.ToList(),
                },
            };
        }

        /// <summary>SHA-256 of everything that decides the run's result: options, heads and the samples in order.</summary>
        private string Fingerprint()
        {
            var text = new StringBuilder();
            CultureInfo inv = CultureInfo.InvariantCulture;
            TrainOptions o = _options;
            text.Append(inv, $"schema={FeatureSchema.Version};seed={o.Seed};epochs={o.Epochs};batch={o.BatchSize};")
                .Append(inv, $"lr={o.LearningRate:R};min_lr={o.MinLearningRate:R};wd={o.WeightDecay:R};clip={o.GradientClipNorm:R};")
                .Append(inv, $"patience={o.Patience};device={o.Device};network={_base?.Manifest.Network ?? o.Network};")
                .Append(inv, $"freeze={o.FreezeTrunk};base={_base?.Manifest.WeightsSha256 ?? (_base is null ? "none" : "unsaved")};")
                .Append("heads=").AppendJoin(',', _headManifests.Select(h => h.Key)).Append('\n');
            foreach (TrainingSample s in _all)
            {
                text.Append(s.ModelId).Append('|').Append(Splits.Name(s.Split)).Append('|')
                    .Append(s.Features.NodeCount).Append('|').Append(s.Features.TotalMacs);
                foreach (var label in s.Labels.OrderBy(l => l.Key.Target, StringComparer.Ordinal).ThenBy(l => l.Key.Metric))
                {
                    text.Append('|').Append(label.Key.Target).Append('/').Append(MetricNames.Name(label.Key.Metric))
                        .Append('=').Append(label.Value.ToString("R", inv));
                }
                text.Append('\n');
            }
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }

        private static string HeadKeyOfParameter(string name)
        {
            // heads.<target/metric>.<module path>: the key holds no '.', so it ends at the next dot.
            int start = "heads.".Length;
            int dot = name.IndexOf('.', start);
            return dot < 0 ? name[start..] : name[start..dot];
        }
    }

    internal static HeadSpec ToSpec(HeadManifest head)
    {
        HeadKey key;
        try
        {
            key = new HeadKey(head.Target, MetricNames.Parse(head.Metric));
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"head {head.Key}: {e.Message}", e);
        }
        if (key.Key != head.Key)
        {
            throw new ModelFormatException($"head {head.Key}: key does not match target '{head.Target}' and metric '{head.Metric}'");
        }
        return new HeadSpec(key, head.LogOffset);
    }
}
