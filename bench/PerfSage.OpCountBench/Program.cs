using System.Diagnostics;
using System.Globalization;
using PerfSage.OpCountBench;

// How PerfSage's cost grows with the operator count (figures and ratios, not timed tests). For each size it writes a
// chain of that many operators (ChainModel: a block of five int8 ops of which GELU falls back to the CPU on the
// Ethos-U and GPU targets) and runs the real CLI as a separate process for each command:
//   inspect FILE
//   estimate FILE --all-targets
//   predict FILE --all-targets
// measuring wall time and peak RSS (VmHWM) of the process. A one-operator chain measures the start-up cost of each
// command (runtime, libtorch, the model, the catalog); per-operator figures subtract it:
//   µs/op = (seconds(N) − seconds(1)) / (N − 1),   KiB/op = (peak(N) − peak(1)) / (N − 1)
// and the last table gives per-op cost at the largest size over per-op cost at the smallest (goal ≤ 2).
// Usage: PerfSage.OpCountBench --cli PATH/perfsage.dll [--model DIR] [--sizes 1000,10000,50000,200000]
//        [--commands inspect,estimate,predict] [--timeout-s 900] [--work DIR] [--keep]
//        PerfSage.OpCountBench --write N FILE      (only write a chain of N operators)
if (args.Length == 3 && args[0] == "--write")
{
    int count = int.Parse(args[1], CultureInfo.InvariantCulture);
    File.WriteAllBytes(args[2], ChainModel.Write(count));
    return 0;
}

string? cli = null, modelDir = null, work = null;
int[] sizes = [1_000, 10_000, 50_000, 200_000];
string[] commands = ["inspect", "estimate", "predict"];
double timeoutS = 900;
bool keep = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--cli" when i + 1 < args.Length:
            cli = Path.GetFullPath(args[++i]);
            break;
        case "--model" when i + 1 < args.Length:
            modelDir = Path.GetFullPath(args[++i]);
            break;
        case "--sizes" when i + 1 < args.Length:
            sizes = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            break;
        case "--commands" when i + 1 < args.Length:
            commands = args[++i].Split(',');
            break;
        case "--timeout-s" when i + 1 < args.Length:
            timeoutS = double.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--work" when i + 1 < args.Length:
            work = Path.GetFullPath(args[++i]);
            break;
        case "--keep":
            keep = true;
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: PerfSage.OpCountBench --cli PATH/perfsage.dll [--model DIR] " +
                "[--sizes 1000,10000,50000,200000] [--commands inspect,estimate,predict] [--timeout-s 900] [--work DIR] [--keep]");
            return 2;
    }
}
if (cli is null || !File.Exists(cli))
{
    Console.Error.WriteLine($"--cli: give the built perfsage.dll (got {cli ?? "nothing"}); scripts/bench-opcount builds it");
    return 2;
}
foreach (string c in commands)
{
    if (c is not ("inspect" or "estimate" or "predict"))
    {
        Console.Error.WriteLine($"--commands: {c} is not one of inspect, estimate, predict");
        return 2;
    }
}

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string root = work ?? Path.Combine(Path.GetTempPath(), $"perfsage-opcount-bench-{Environment.ProcessId}");
Directory.CreateDirectory(root);
bool haveTime = File.Exists("/usr/bin/time");
Console.WriteLine($"PerfSage.OpCountBench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, CLI {cli}");
Console.WriteLine($"peak RSS from {(haveTime ? "/usr/bin/time (ru_maxrss)" : "/proc/PID/status VmHWM, polled")}; work folder {root}");
Console.WriteLine();
try
{
    int[] all = [1, .. sizes.Where(s => s != 1).Distinct().Order()];
    var files = new Dictionary<int, string>();
    Console.WriteLine("| ops | file [MiB] | write [s] |");
    Console.WriteLine("|---:|---:|---:|");
    foreach (int n in all)
    {
        string path = Path.Combine(root, $"chain_{n}.tflite");
        var clock = Stopwatch.StartNew();
        string written = "(kept)";
        if (!File.Exists(path))
        {
            File.WriteAllBytes(path, ChainModel.Write(n));
            written = $"{clock.Elapsed.TotalSeconds:F2}";
        }
        files[n] = path;
        Console.WriteLine($"| {n:N0} | {new FileInfo(path).Length / 1048576.0:F2} | {written} |");
    }
    Console.WriteLine();

    var results = new Dictionary<(string Command, int Ops), Run>();
    Console.WriteLine("| ops | command | seconds | peak MiB | µs/op | KiB/op | stdout lines |");
    Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
    foreach (string command in commands)
    {
        foreach (int n in all)
        {
            List<string> arguments = command switch
            {
                "inspect" => ["inspect", files[n]],
                "estimate" => ["estimate", files[n], "--all-targets"],
                _ => ["predict", files[n], "--all-targets"],
            };
            if (command == "predict" && modelDir is not null)
            {
                arguments.AddRange(["--model", modelDir]);
            }
            Run run = Measure(cli, arguments, Path.Combine(root, $"{command}_{n}.out"), timeoutS, haveTime);
            results[(command, n)] = run;
            string perOp = "", kibPerOp = "";
            if (n > 1 && results.TryGetValue((command, 1), out Run? baseline) && run.Ok && baseline.Ok)
            {
                perOp = $"{(run.Seconds - baseline.Seconds) * 1e6 / (n - 1):F1}";
                kibPerOp = $"{(run.PeakKib - baseline.PeakKib) / (double)(n - 1):F2}";
            }
            string seconds = run.Ok ? $"{run.Seconds:F2}" : run.TimedOut ? $"> {timeoutS:F0} (stopped)" : $"exit {run.ExitCode}";
            Console.WriteLine($"| {n:N0} | {command} | {seconds} | {run.PeakKib / 1024.0:F0} | {perOp} | {kibPerOp} | {run.StdoutLines:N0} |");
        }
    }
    Console.WriteLine();

    int large = all.Max();
    int[] smaller = [.. all.Where(s => s > 1 && s < large)];
    if (smaller.Length > 0)
    {
        Console.WriteLine($"Per-op cost at {large:N0} ops over per-op cost at each smaller size, after subtracting the 1-op start-up " +
            "(goal <= 2 against 1,000):");
        Console.WriteLine();
        Console.WriteLine("| command | " + string.Join(" | ", smaller.Select(s => $"time vs {s:N0} | memory vs {s:N0}")) + " |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|---:|", smaller.Length)));
        foreach (string command in commands)
        {
            Run b = results[(command, 1)], l = results[(command, large)];
            var cells = new List<string>();
            foreach (int small in smaller)
            {
                Run s = results[(command, small)];
                if (!(b.Ok && s.Ok && l.Ok))
                {
                    cells.AddRange(["-", "-"]);
                    continue;
                }
                double time = (l.Seconds - b.Seconds) / (large - 1) / ((s.Seconds - b.Seconds) / (small - 1));
                double memory = (l.PeakKib - b.PeakKib) / (double)(large - 1) / ((s.PeakKib - b.PeakKib) / (double)(small - 1));
                cells.AddRange([$"{time:F2}", $"{memory:F2}"]);
            }
            Console.WriteLine($"| {command} | {string.Join(" | ", cells)} |");
        }
        Console.WriteLine();
        Console.WriteLine("Small sizes carry more noise per op: at 1,000 ops the work above start-up is a small difference of two " +
            "process times (a negative ratio means the 1-op run happened to be slower).");
    }
    return 0;
}
finally
{
    if (!keep && work is null)
    {
        Directory.Delete(root, recursive: true);
    }
}

// Runs `dotnet CLI ARGS` with stdout to stdoutPath, measuring wall time and peak RSS.
static Run Measure(string cli, List<string> arguments, string stdoutPath, double timeoutS, bool haveTime)
{
    string rusage = stdoutPath + ".time";
    var start = new ProcessStartInfo(haveTime ? "/usr/bin/time" : "dotnet")
    {
        UseShellExecute = false,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    if (haveTime)
    {
        foreach (string a in (string[])["-f", "%M", "-o", rusage, "dotnet"])
        {
            start.ArgumentList.Add(a);
        }
    }
    start.ArgumentList.Add(cli);
    foreach (string a in arguments)
    {
        start.ArgumentList.Add(a);
    }
    var clock = Stopwatch.StartNew();
    using Process process = Process.Start(start)!;
    using (FileStream sink = File.Create(stdoutPath))
    {
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(sink);
        Task<string> error = process.StandardError.ReadToEndAsync();
        long polledKib = 0;
        bool timedOut = false;
        while (!process.WaitForExit(20))
        {
            if (!haveTime)
            {
                polledKib = Math.Max(polledKib, HighWaterKib(process.Id));
            }
            if (clock.Elapsed.TotalSeconds > timeoutS)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                timedOut = true;
                break;
            }
        }
        process.WaitForExit();
        clock.Stop();
        copy.Wait();
        long peak = polledKib;
        if (haveTime && !timedOut && File.Exists(rusage))
        {
            string last = File.ReadAllLines(rusage).LastOrDefault(l => l.Length > 0 && char.IsAsciiDigit(l[0])) ?? "0";
            peak = long.Parse(last.Trim(), CultureInfo.InvariantCulture);
        }
        int exit = process.ExitCode;
        if (exit != 0 && !timedOut)
        {
            Console.Error.WriteLine($"dotnet {cli} {string.Join(' ', arguments)} exited {exit}: {error.Result.Trim()}");
        }
        sink.Dispose();
        return new Run(clock.Elapsed.TotalSeconds, peak, exit, timedOut, CountLines(stdoutPath));
    }
}

// VmHWM of a running process in KiB (0 once it has gone).
static long HighWaterKib(int pid)
{
    try
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
    }
    catch (IOException)
    {
    }
    return 0;
}

static long CountLines(string path)
{
    long lines = 0;
    foreach (string _ in File.ReadLines(path))
    {
        lines++;
    }
    return lines;
}

/// <summary>One measured process.</summary>
internal sealed record Run(double Seconds, long PeakKib, int ExitCode, bool TimedOut, long StdoutLines)
{
    public bool Ok => ExitCode == 0 && !TimedOut;
}
