using System.Runtime.InteropServices;
using PerfSage.Model.Native;
using TorchSharp;

namespace PerfSage.Model;

/// <summary>
/// The one door to libtorch. Every entry point of PerfSage.Model that touches tensors calls
/// <see cref="EnsureLoaded(int, long)"/> first: it loads the native libraries once per process,
/// sets the CPU thread count and seeds the random generator, and turns a load failure into a
/// <see cref="TorchRuntimeException"/> that says what is wrong and where the fix is documented.
/// No TorchSharp type appears in this class's public surface.
/// </summary>
public static partial class TorchRuntime
{
    /// <summary>Where users are sent when libtorch does not load.</summary>
    public const string TroubleshootingReference =
        "README.md, section \"TorchSharp on Debian 12 and Ubuntu 22.04\" (details in docs/TORCHSHARP.md)";

    /// <summary>The seed used when the caller gives none.</summary>
    public const long DefaultSeed = 0;

    /// <summary>The one version requirement of libLibTorchSharp.so that Debian 12's libstdc++ lacks.</summary>
    internal const string MissingGlibcxxVersion = "GLIBCXX_3.4.32";

    internal const string NativeLibraryFileName = "libLibTorchSharp.so";

    private static readonly Lock Gate = new();
    private static bool loaded;

    /// <summary>True once libtorch has loaded in this process.</summary>
    public static bool IsLoaded
    {
        get
        {
            lock (Gate)
            {
                return loaded;
            }
        }
    }

    /// <summary>The libtorch version TorchSharp was built against, e.g. <c>2.10.0.0</c>.</summary>
    public static string LibTorchVersion => torch.__version__;

    /// <summary>Loads libtorch with the default thread count (all cores) and <see cref="DefaultSeed"/>.</summary>
    public static void EnsureLoaded() => EnsureLoaded(Environment.ProcessorCount, DefaultSeed);

    /// <summary>
    /// Loads libtorch (once), then sets the intra-op thread count and seeds the global random
    /// generator. Later calls only re-apply the thread count and the seed.
    /// </summary>
    /// <param name="threadCount">Intra-op CPU threads, at least 1.</param>
    /// <param name="seed">Seed for <c>torch.manual_seed</c>; record it with the results it produced.</param>
    /// <exception cref="ArgumentOutOfRangeException">threadCount is below 1.</exception>
    /// <exception cref="TorchRuntimeException">libtorch could not be loaded.</exception>
    public static void EnsureLoaded(int threadCount, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        lock (Gate)
        {
            EnsureLoadedOnce();
            torch.set_num_threads(threadCount);
            torch.manual_seed(seed);
        }
    }

    /// <summary>The intra-op CPU thread count libtorch uses now.</summary>
    /// <exception cref="TorchRuntimeException">libtorch could not be loaded.</exception>
    public static int ThreadCount
    {
        get
        {
            EnsureLoadedOnce();
            return torch.get_num_threads();
        }
    }

    private static void EnsureLoadedOnce()
    {
        lock (Gate)
        {
            if (!loaded)
            {
                Load();
                loaded = true;
            }
        }
    }

    private static void Load()
    {
        PinMklCodePath();
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or EntryPointNotFoundException
                                      or BadImageFormatException or TypeInitializationException or ExternalException)
        {
            throw new TorchRuntimeException(DescribeLoadFailure(AppContext.BaseDirectory, e), e);
        }
    }

    /// <summary>The MKL environment variable that fixes its code path (and so its floating-point summation order).</summary>
    internal const string MklCodePathVariable = "MKL_CBWR";

    /// <summary>
    /// MKL picks a kernel per CPU feature set at run time, and those kernels may sum in different orders, so the
    /// same seed can give weights that differ in the last bits between runs (measured here: without it about one pair
    /// of identical training runs in three differed in the last bits; with it they matched).
    /// <c>MKL_CBWR=AUTO</c> (Intel's "conditional numerical reproducibility" switch) makes MKL use one code path
    /// per machine. MKL reads it from the C environment when it first runs, which is after this point, and
    /// .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the C
    /// environment on Unix, so it is set with libc's <c>setenv</c>. A value the user set is left alone.
    /// </summary>
    private static void PinMklCodePath()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Environment.SetEnvironmentVariable(MklCodePathVariable, Environment.GetEnvironmentVariable(MklCodePathVariable) ?? "AUTO");
            return;
        }
        try
        {
            _ = LibC.setenv(MklCodePathVariable, "AUTO", 0); // overwrite = 0: keep the user's value
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to call: results stay correct, only bit-identical reruns are not guaranteed.
        }
    }

    /// <summary>libc's environment functions (the C environment, which native libraries read).</summary>
    internal static partial class LibC
    {
        [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int setenv(string name, string value, int overwrite);

        [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial IntPtr getenv(string name);
    }

    /// <summary>
    /// Builds the message for a failed load. When the copy of libLibTorchSharp.so next to the program
    /// still has a strong requirement on a libstdc++ version this host lacks, says so by name: that is
    /// the Debian 12 / Ubuntu 22.04 case the build fix handles.
    /// </summary>
    internal static string DescribeLoadFailure(string baseDirectory, Exception cause)
    {
        // TorchSharp's static constructor wraps the loader's exception; report the one that says why.
        Exception reason = cause;
        while (reason is TypeInitializationException { InnerException: { } inner })
        {
            reason = inner;
        }
        string firstLine = reason.Message.Split('\n', 2)[0].Trim();
        string message = $"TorchSharp could not load libtorch ({reason.GetType().Name}: {firstLine}).";
        string? library = FindNativeLibrary(baseDirectory);
        if (library is not null && OperatingSystem.IsLinux())
        {
            try
            {
                byte[] image = File.ReadAllBytes(library);
                bool strong = ElfVersionPatcher.ReadVersionNeeds(image)
                    .Any(n => n.VersionName == MissingGlibcxxVersion && !n.IsWeak);
                if (strong && ElfVersionPatcher.HostLacksRequiredVersion(image, MissingGlibcxxVersion, out string? host))
                {
                    message += $" {library} requires {MissingGlibcxxVersion}, which this system's libstdc++"
                        + $" ({host ?? "not found"}) does not provide, and the build did not mark that requirement weak."
                        + " Rebuild with the repository's build files (build/TorchSharpNativeFix.targets) or set PerfSageWeakGlibcxx=always.";
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                message += $" ({library} could not be inspected: {e.Message})";
            }
        }
        return message + " See " + TroubleshootingReference + ".";
    }

    /// <summary>The copy of libLibTorchSharp.so the runtime would load for an app in <paramref name="baseDirectory"/>.</summary>
    internal static string? FindNativeLibrary(string baseDirectory)
    {
        string[] candidates =
        [
            Path.Combine(baseDirectory, NativeLibraryFileName),
            Path.Combine(baseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", NativeLibraryFileName),
            Path.Combine(baseDirectory, "runtimes", "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "native", NativeLibraryFileName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }
}
