using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>A command the suite runs on every mutant: its label and its arguments for one or more files. A
/// <see cref="Batched"/> command (predict: each run loads the GNN, which costs far more than one prediction) runs
/// once over every mutant of a chunk that the per-file commands accepted, and file by file, bisecting, only when
/// that run breaks a rule; the mutants the per-file commands rejected go through it one by one, every
/// <see cref="HostileRunner.RejectedEvery"/>-th of them.</summary>
internal sealed record HostileCommand(string Label, Func<IReadOnlyList<string>, string[]> Arguments, bool Batched = false);

/// <summary>One broken rule: which case, which command, which rule, and what was seen.</summary>
internal sealed record Violation(HostileModel Case, string Command, string Rule, int ExitCode, string Message, string[] Arguments);

/// <summary>What one command did on one mutant (or on a batch of them).</summary>
internal readonly record struct CommandOutcome(int ExitCode, string Stdout, string Stderr, long AllocatedBytes, TimeSpan Elapsed);

/// <summary>
/// Runs hostile models through the CLI in-process (<see cref="CliRunner"/>) and checks the product's rule for bad
/// input on every run: exit 0 or 2; on exit 2 exactly one stderr line that names the file and nothing on stdout (predict
/// alone prints its rows first, a failed one as an error row without numbers, under the exit-0 rules);
/// on exit 0 JSON on stdout with only finite numbers no larger than <see cref="MaxJsonMagnitude"/>; each command
/// finishes within <see cref="CommandTimeout"/> of its thread's CPU time, or <see cref="WallTimeFactor"/> times
/// that in wall time (a hang, not a speed check: a busy machine slows a command's wall time, not its CPU time)
/// and allocates at most
/// <see cref="MaxAllocatedBytes"/> on its thread; the input file is left byte for byte as it was and nothing else
/// appears beside it.
/// </summary>
internal sealed class HostileRunner
{
    /// <summary>The largest magnitude a reported number may have: 10¹⁵ (a thousand tera-MACs, a petabyte, 31 years
    /// in milliseconds) is beyond any model an edge target runs, so a larger number is an overflow or a
    /// nonsensical shape reported as a result. Quantisation scales are exempt: <c>inspect</c> echoes the float the
    /// file holds, any finite positive float32 is a valid scale, and none is a computed result.</summary>
    public const double MaxJsonMagnitude = 1e15;

    /// <summary>Stop after this many hangs: each leaves a thread running.</summary>
    public const int MaxHangs = 4;

    public required IReadOnlyList<HostileCommand> Commands { get; init; }

    /// <summary>The CPU-time bound of one command on one file, on the command's own thread (a batch gets it plus
    /// <see cref="BatchTimePerFile"/> per file).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The wall-time bound is this many times <see cref="CommandTimeout"/>: it catches a command that
    /// blocks without using the CPU (a read that never returns).</summary>
    public int WallTimeFactor { get; init; } = 5;

    public TimeSpan BatchTimePerFile { get; init; } = TimeSpan.FromSeconds(2);

    public long MaxAllocatedBytes { get; init; } = 1L << 30;

    public int Workers { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>Cases a worker takes at a time (the size of a batch of a <see cref="HostileCommand.Batched"/> command).</summary>
    public int ChunkSize { get; init; } = 25;

    /// <summary>A batched command also runs alone on every n-th case the per-file commands rejected.</summary>
    public int RejectedEvery { get; init; } = 10;

    /// <summary>Where each case is recorded before it runs (so a crash of the test process names its case), or null.</summary>
    public string? JournalPath { get; init; }

    public HostileResult Run(int seed, int count, IReadOnlyList<SeedModel> seeds)
    {
        string root = Path.Combine(Path.GetTempPath(), $"perfsage-hostile-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var violations = new ConcurrentBag<Violation>();
        var stats = new ConcurrentDictionary<string, CommandStats>(StringComparer.Ordinal);
        var kinds = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        int next = 0;
        int hangs = 0;
        int completed = 0;
        using StreamWriter? journal = JournalPath is null ? null : new StreamWriter(JournalPath, append: false) { AutoFlush = true };
        var journalLock = new object();
        var clock = Stopwatch.StartNew();

        void Log(string line)
        {
            if (journal is not null)
            {
                lock (journalLock)
                {
                    journal.WriteLine(line);
                }
            }
        }

        // Runs a command on the files and checks the rule: whether it finished (a hang is recorded and leaves the files
        // in use), its exit code, and whether it broke no rule.
        (bool Finished, int ExitCode, bool Clean) RunChecked(HostileCommand command, IReadOnlyList<(HostileModel Case, string Path)> files, string label)
        {
            string[] args = command.Arguments([.. files.Select(f => f.Path)]);
            Log($"{string.Join(",", files.Select(f => f.Case.Index))} {label} :: {(files.Count == 1 ? files[0].Case.Kind + " " + files[0].Case.Seed + " " + files[0].Case.Detail : "")}");
            TimeSpan timeout = files.Count == 1 ? CommandTimeout : CommandTimeout + (BatchTimePerFile * files.Count);
            CommandOutcome? outcome = RunOne(args, timeout, timeout * WallTimeFactor);
            if (outcome is not { } o)
            {
                Log($"  {label} HUNG");
                Interlocked.Increment(ref hangs);
                if (files.Count == 1)
                {
                    violations.Add(new Violation(files[0].Case, command.Label, "hang", -1, $"no exit within {timeout.TotalSeconds:0} s of CPU time or {(timeout * WallTimeFactor).TotalSeconds:0} s", args));
                    return (false, -1, false);
                }
                // Find the file that hangs alone (the suite stops after MaxHangs).
                bool finished = true;
                foreach ((HostileModel Case, string Path) one in files)
                {
                    finished &= Volatile.Read(ref hangs) < MaxHangs && RunChecked(command, [one], command.Label).Finished;
                }
                return (finished, -1, false);
            }
            Log($"  {label} exit {o.ExitCode}, {o.Elapsed.TotalMilliseconds:0} ms, {o.AllocatedBytes >> 20} MiB");
            stats.GetOrAdd(label, _ => new CommandStats()).Add(o);
            List<(string Rule, string Message)> problems = [.. Check(command.Label, [.. files.Select(f => f.Path)], o)];
            if (problems.Count == 0)
            {
                return (true, o.ExitCode, true);
            }
            if (files.Count == 1)
            {
                foreach ((string rule, string message) in problems)
                {
                    violations.Add(new Violation(files[0].Case, command.Label, rule, o.ExitCode, message, args));
                }
                return (true, o.ExitCode, false);
            }
            // Bisect to the files that break the rule alone.
            int half = files.Count / 2;
            bool left = RunChecked(command, [.. files.Take(half)], half == 1 ? command.Label : label).Finished;
            bool right = RunChecked(command, [.. files.Skip(half)], files.Count - half == 1 ? command.Label : label).Finished;
            return (left && right, o.ExitCode, false);
        }

        void Worker(int worker)
        {
            string dir = Path.Combine(root, "w" + worker);
            Directory.CreateDirectory(dir);
            int first;
            while ((first = Interlocked.Add(ref next, ChunkSize) - ChunkSize) < count && Volatile.Read(ref hangs) < MaxHangs)
            {
                var chunk = new List<(HostileModel Case, string Path)>();
                var accepted = new List<(HostileModel Case, string Path)>();
                var alone = new List<(HostileModel Case, string Path)>();
                var unfinished = new HashSet<int>();
                for (int i = first; i < Math.Min(first + ChunkSize, count) && Volatile.Read(ref hangs) < MaxHangs; i++)
                {
                    HostileModel c = HostileModels.Make(seed, i, seeds);
                    kinds.AddOrUpdate(c.Kind, 1, (_, n) => n + 1);
                    string path = Path.Combine(dir, c.Name);
                    File.WriteAllBytes(path, c.Bytes);
                    chunk.Add((c, path));
                    bool allAccepted = true;
                    bool clean = true;
                    foreach (HostileCommand command in Commands.Where(c => !c.Batched))
                    {
                        (bool finished, int exitCode, bool ok) = RunChecked(command, [(c, path)], command.Label);
                        allAccepted &= exitCode == 0;
                        clean &= ok;
                        if (!finished)
                        {
                            unfinished.Add(i);
                            break;
                        }
                    }
                    if (unfinished.Contains(i))
                    {
                        continue;
                    }
                    if (allAccepted && clean)
                    {
                        accepted.Add((c, path));
                    }
                    else if (!clean || i % RejectedEvery == 0)
                    {
                        alone.Add((c, path));
                    }
                }
                foreach (HostileCommand command in Commands.Where(c => c.Batched))
                {
                    if (accepted.Count > 0 && Volatile.Read(ref hangs) < MaxHangs)
                    {
                        if (!RunChecked(command, accepted, accepted.Count == 1 ? command.Label : command.Label + " (batch)").Finished)
                        {
                            unfinished.UnionWith(accepted.Select(a => a.Case.Index));
                        }
                    }
                    foreach ((HostileModel Case, string Path) one in alone)
                    {
                        if (Volatile.Read(ref hangs) < MaxHangs && !RunChecked(command, [one], command.Label).Finished)
                        {
                            unfinished.Add(one.Case.Index);
                        }
                    }
                }
                if (unfinished.Count > 0)
                {
                    // A hung command may still be reading the files: leave them and go on in a fresh folder.
                    Interlocked.Add(ref completed, chunk.Count(x => !unfinished.Contains(x.Case.Index)));
                    dir = Path.Combine(root, $"w{worker}-{first}");
                    Directory.CreateDirectory(dir);
                    continue;
                }
                foreach ((HostileModel c, string path) in chunk)
                {
                    foreach ((string rule, string message) in CheckFolder(dir, [.. chunk.Select(x => x.Path)], path, c.Bytes))
                    {
                        violations.Add(new Violation(c, "(all)", rule, 0, message, []));
                    }
                }
                foreach ((HostileModel _, string path) in chunk)
                {
                    File.Delete(path);
                }
                Interlocked.Add(ref completed, chunk.Count);
            }
        }

        Thread[] threads = [.. Enumerable.Range(0, Workers).Select(w => new Thread(() => Worker(w), 16 << 20) { IsBackground = true, Name = "hostile-" + w })];
        foreach (Thread t in threads)
        {
            t.Start();
        }
        foreach (Thread t in threads)
        {
            t.Join();
        }
        clock.Stop();
        if (hangs == 0)
        {
            Directory.Delete(root, recursive: true);
        }
        return new HostileResult(seed, count, completed, seeds, [.. violations.OrderBy(v => v.Case.Index).ThenBy(v => v.Command, StringComparer.Ordinal)],
            stats.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            kinds.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), clock.Elapsed, hangs >= MaxHangs);
    }

    /// <summary>Runs one command on its own thread; null when it does not finish in time.</summary>
    private static CommandOutcome? RunOne(string[] args, TimeSpan cpuTimeout, TimeSpan wallTimeout)
    {
        CommandOutcome result = default;
        Exception? escaped = null;
        int osThreadId = 0;
        var thread = new Thread(() =>
        {
            Volatile.Write(ref osThreadId, ThreadCpu.CurrentOsThreadId());
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            try
            {
                (int code, string stdout, string stderr) = CliRunner.Run(args);
                result = new CommandOutcome(code, stdout, stderr, GC.GetAllocatedBytesForCurrentThread() - before, clock.Elapsed);
            }
#pragma warning disable CA1031 // an exception escaping PerfSageApp.Run is itself a finding, reported as exit -2
            catch (Exception e)
#pragma warning restore CA1031
            {
                escaped = e;
            }
        }, 16 << 20) { IsBackground = true };
        var wall = Stopwatch.StartNew();
        thread.Start();
        while (!thread.Join(TimeSpan.FromMilliseconds(500)))
        {
            int tid = Volatile.Read(ref osThreadId);
            TimeSpan? cpu = tid > 0 ? ThreadCpu.Of(tid) : null;
            if (wall.Elapsed > wallTimeout || (cpu is { } used && used > cpuTimeout))
            {
                return null;
            }
        }
        return escaped is null ? result : new CommandOutcome(-2, "", $"exception escaped PerfSageApp.Run: {escaped.GetType().Name}: {escaped.Message}", 0, TimeSpan.Zero);
    }

    private IEnumerable<(string Rule, string Message)> Check(string command, IReadOnlyList<string> paths, CommandOutcome o)
    {
        string firstLine = FirstLine(o.Stderr);
        if (o.AllocatedBytes > MaxAllocatedBytes)
        {
            yield return ("allocation", $"{o.AllocatedBytes >> 20} MiB allocated (bound {MaxAllocatedBytes >> 20} MiB)");
        }
        switch (o.ExitCode)
        {
            case 0:
                foreach (string problem in JsonProblems(o.Stdout))
                {
                    yield return (problem.StartsWith("stdout", StringComparison.Ordinal) ? "invalid JSON" : "bad number in JSON", problem);
                }
                break;
            case 2:
            {
                string[] lines = o.Stderr.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
                // predict prints the rows it could make and the failed ones as error rows (no numbers) before it exits 2;
                // every other command prints nothing. Whatever is printed obeys the exit-0 rules.
                if (o.Stdout.Length != 0 && !command.StartsWith("predict", StringComparison.Ordinal))
                {
                    yield return ("stdout on exit 2", $"{o.Stdout.Length} chars on stdout; stderr: {firstLine}");
                }
                else if (o.Stdout.Length != 0)
                {
                    foreach (string problem in JsonProblems(o.Stdout))
                    {
                        yield return (problem.StartsWith("stdout", StringComparison.Ordinal) ? "invalid JSON" : "bad number in JSON", problem);
                    }
                }
                if (lines.Length != 1)
                {
                    yield return ("not one stderr line", $"{lines.Length} stderr lines; first: {firstLine}");
                }
                if (!paths.Any(p => lines[^1].Contains(p, StringComparison.Ordinal)))
                {
                    yield return ("file not named", firstLine);
                }
                break;
            }
            default:
                yield return ($"exit {o.ExitCode}", firstLine);
                break;
        }
    }

    private static IEnumerable<(string Rule, string Message)> CheckFolder(string dir, IReadOnlyList<string> inputs, string path, byte[] expected)
    {
        if (path == inputs[0])
        {
            string[] extra = [.. Directory.GetFileSystemEntries(dir).Where(e => !inputs.Contains(e, StringComparer.Ordinal))];
            if (extra.Length > 0)
            {
                yield return ("wrote a file", "beside the inputs: " + string.Join(", ", extra.Select(Path.GetFileName)));
            }
        }
        if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(expected))
        {
            yield return ("changed the input", "the input file is no longer byte for byte as written");
        }
    }

    internal static string FirstLine(string text)
    {
        int end = text.IndexOf('\n', StringComparison.Ordinal);
        string line = (end < 0 ? text : text[..end]).TrimEnd('\r');
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    /// <summary>Non-finite or over-large numbers anywhere in <paramref name="stdout"/>, or why it is not JSON.</summary>
    internal static List<string> JsonProblems(string stdout)
    {
        var problems = new List<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stdout, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            problems.Add($"stdout is not valid JSON: {e.Message}");
            return problems;
        }
        using (document)
        {
            Walk(document.RootElement, "$", problems);
        }
        return problems;
    }

    private static void Walk(JsonElement element, string path, List<string> problems)
    {
        if (problems.Count >= 3)
        {
            return;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty p in element.EnumerateObject())
                {
                    Walk(p.Value, path + "." + p.Name, problems);
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{i++}]", problems);
                }
                break;
            case JsonValueKind.Number:
                if (!element.TryGetDouble(out double value) || !double.IsFinite(value))
                {
                    problems.Add($"{path} = {element.GetRawText()} (not a finite double)");
                }
                else if (Math.Abs(value) > MaxJsonMagnitude && !path.EndsWith(".quantization.scale", StringComparison.Ordinal))
                {
                    problems.Add($"{path} = {element.GetRawText()} (beyond ±1e15)");
                }
                break;
            case JsonValueKind.String:
                string? s = element.GetString();
                if (s is "NaN" or "Infinity" or "-Infinity" or "∞" or "-∞")
                {
                    problems.Add($"{path} = \"{s}\" (a non-finite number as a string)");
                }
                break;
            default:
                break;
        }
    }
}

/// <summary>Time, exit codes and allocation of one command over the suite.</summary>
internal sealed class CommandStats
{
    private readonly object _gate = new();

    public int Runs { get; private set; }

    public TimeSpan Total { get; private set; }

    public TimeSpan Max { get; private set; }

    public long MaxAllocatedBytes { get; private set; }

    public SortedDictionary<int, int> ExitCodes { get; } = [];

    public void Add(CommandOutcome o)
    {
        lock (_gate)
        {
            Runs++;
            Total += o.Elapsed;
            Max = o.Elapsed > Max ? o.Elapsed : Max;
            MaxAllocatedBytes = Math.Max(MaxAllocatedBytes, o.AllocatedBytes);
            ExitCodes[o.ExitCode] = ExitCodes.GetValueOrDefault(o.ExitCode) + 1;
        }
    }
}

/// <summary>The suite's outcome.</summary>
internal sealed record HostileResult(
    int Seed,
    int Count,
    int Completed,
    IReadOnlyList<SeedModel> Seeds,
    IReadOnlyList<Violation> Violations,
    IReadOnlyDictionary<string, CommandStats> Stats,
    IReadOnlyDictionary<string, int> Kinds,
    TimeSpan Elapsed,
    bool StoppedOnHangs);
