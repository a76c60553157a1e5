<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ClipPlayer</name>
    <message>
        <location filename="../../localclip/gui/player.py" line="72"/>
        <source>The clip {0} is missing: it cannot be played.</source>
        <translation>片段 {0} 不存在，无法播放。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="108"/>
        <source>Clips cannot be played on this computer: Qt Multimedia could not be loaded ({0}).</source>
        <translation>此计算机无法播放片段：无法加载 Qt Multimedia（{0}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="116"/>
        <source>No audio output device was found: clips play without sound.</source>
        <translation>未找到音频输出设备：片段将静音播放。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="133"/>
        <source>it is not an audio file Qt can read</source>
        <translation>Qt 无法读取此音频文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="147"/>
        <source>the file could not be opened</source>
        <translation>无法打开文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="148"/>
        <source>its format is not supported</source>
        <translation>不支持该格式</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="149"/>
        <source>access to it was denied</source>
        <translation>访问被拒绝</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="151"/>
        <source>the media system reported an error</source>
        <translation>媒体系统报告了错误</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="157"/>
        <source>Cannot play {0}: {1}.</source>
        <translation>无法播放 {0}：{1}。</translation>
    </message>
</context>
<context>
    <name>DemoModelBuilder</name>
    <message>
        <location filename="../../localclip/runs/demo_models.py" line="82"/>
        <source>The demo {0} model could not be built.</source>
        <translation>无法构建演示用 {0} 模型。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/demo_models.py" line="87"/>
        <source>The worker environment could not be started: {0}</source>
        <translation>无法启动工作进程环境：{0}</translation>
    </message>
</context>
<context>
    <name>DropZone</name>
    <message>
        <location filename="../../localclip/gui/intake.py" line="107"/>
        <location filename="../../localclip/gui/intake.py" line="141"/>
        <source>Drop a dataset folder or a cloning project folder here</source>
        <translation>将数据集文件夹或克隆项目文件夹拖放到此处</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="113"/>
        <source>A dataset holds one folder per speaker with audio clips; a project holds speakers/ with reference recordings and a script. Several folders queue up.</source>
        <translation>数据集中每个说话人一个文件夹，内含音频片段；项目包含存放参考录音的 speakers/ 文件夹和一个脚本。可同时拖入多个文件夹排队处理。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="120"/>
        <source>&amp;Open folder…</source>
        <translation>打开文件夹(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="139"/>
        <source>Drop more folders here to queue them</source>
        <translation>将更多文件夹拖放到此处即可排队</translation>
    </message>
</context>
<context>
    <name>GpuPanel</name>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="102"/>
        <source>GPUs</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="105"/>
        <source>Reading the GPUs…</source>
        <translation>正在读取 GPU 信息…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="183"/>
        <source>The GPUs could not be read: {error}</source>
        <translation>无法读取 GPU 信息：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="202"/>
        <source>NVIDIA driver {driver}, CUDA {cuda}</source>
        <translation>NVIDIA 驱动 {driver}，CUDA {cuda}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="207"/>
        <source>No NVIDIA GPU found: running on CPU</source>
        <translation>未找到 NVIDIA GPU：使用 CPU 运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="210"/>
        <source>Workers run on the processor. They work, but much more slowly than on a GPU.</source>
        <translation>工作进程将在处理器上运行。可以正常工作，但速度远慢于 GPU。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="227"/>
        <source>No workers can start</source>
        <translation>无法启动任何工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="236"/>
        <source>on the GPU</source>
        <translation>使用 GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="236"/>
        <source>on the CPU</source>
        <translation>使用 CPU</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="238"/>
        <source>Running: %n worker(s) {where}</source>
        <translation>
            <numerusform>运行中：%n 个工作进程，{where}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="240"/>
        <source>Planned: %n worker(s) {where}</source>
        <translation>
            <numerusform>计划：%n 个工作进程，{where}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>GpuRow</name>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="59"/>
        <source>Memory</source>
        <translation>显存</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="61"/>
        <source>Load</source>
        <translation>负载</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="66"/>
        <source>GPU {index}: {name}</source>
        <translation>GPU {index}：{name}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="69"/>
        <source>{used:.1f} of {total:.1f} GB</source>
        <translation>{used:.1f} / {total:.1f} GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="71"/>
        <source>{free:.1f} GB free on {name}</source>
        <translation>{name} 可用 {free:.1f} GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="75"/>
        <source>not reported</source>
        <translation>未报告</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="78"/>
        <source>{percent} % busy</source>
        <translation>占用 {percent}%</translation>
    </message>
</context>
<context>
    <name>IntakeView</name>
    <message>
        <location filename="../../localclip/gui/intake.py" line="212"/>
        <source>Folders</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="213"/>
        <source>Scan &amp;again</source>
        <translation>重新扫描(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="215"/>
        <source>&amp;Remove from the list</source>
        <translation>从列表中移除(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="239"/>
        <source>&amp;Change…</source>
        <translation>更改(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="240"/>
        <source>Choose where this dataset&apos;s embeddings are written</source>
        <translation>选择此数据集嵌入的保存位置</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="244"/>
        <source>Folder content</source>
        <translation>文件夹内容</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="253"/>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="256"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="256"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="311"/>
        <source>Open a dataset or project folder</source>
        <translation>打开数据集或项目文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="487"/>
        <source>The folder could not be read: {error}</source>
        <translation>无法读取文件夹：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="520"/>
        <location filename="../../localclip/gui/intake.py" line="530"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="554"/>
        <source>Results: {folder}</source>
        <translation>结果：{folder}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="560"/>
        <source>This folder cannot be used.</source>
        <translation>此文件夹无法使用。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="564"/>
        <source>Dataset ({layout}): %n speaker(s), </source>
        <translation>
            <numerusform>数据集（{layout}）：%n 个说话人，</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="566"/>
        <source>%n clip(s)</source>
        <translation>
            <numerusform>%n 个片段</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="568"/>
        <source>, {duration} in all</source>
        <translation>，共 {duration}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="570"/>
        <source>, reading durations: {done} of {total}</source>
        <translation>，正在读取时长：{done} / {total}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="577"/>
        <source>Cloning project ({script}): %n speaker(s), </source>
        <translation>
            <numerusform>克隆项目（{script}）：%n 个说话人，</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="580"/>
        <source>%n reference(s), </source>
        <translation>
            <numerusform>%n 段参考音频，</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="581"/>
        <source>%n line(s) to speak</source>
        <translation>
            <numerusform>%n 句待生成台词</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="584"/>
        <source>Cloning project: reading the references and the script…</source>
        <translation>克隆项目：正在读取参考音频和脚本…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="586"/>
        <source>Dataset: listing the clips…</source>
        <translation>数据集：正在列出片段…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="587"/>
        <source>Looking at the folder…</source>
        <translation>正在查看文件夹…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="603"/>
        <source>Every clip already has its embedding (results in {folder}).</source>
        <translation>所有片段均已有嵌入（结果位于 {folder}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="607"/>
        <source>Every line has been generated.</source>
        <translation>所有台词均已生成。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="611"/>
        <source>An earlier run embedded {done} of {total} clips ({failed} failed). Resume computes only the rest; Start over computes every clip again.</source>
        <translation>上次运行已为 {total} 个片段中的 {done} 个提取嵌入（{failed} 个失败）。“继续”只计算剩余部分；“重新开始”将重新计算所有片段。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="616"/>
        <source>An earlier run generated {done} of {total} lines ({failed} failed). Resume generates the rest; nothing generated is overwritten.</source>
        <translation>上次运行已生成 {total} 句台词中的 {done} 句（{failed} 句失败）。“继续”生成剩余部分；已生成的内容不会被覆盖。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="623"/>
        <source>Show r&amp;esults</source>
        <translation>显示结果(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="623"/>
        <source>Go to r&amp;eview</source>
        <translation>前往审听(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="631"/>
        <source>scanning…</source>
        <translation>正在扫描…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="632"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="633"/>
        <source>cannot be used</source>
        <translation>无法使用</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="634"/>
        <source>waiting to run</source>
        <translation>等待运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="635"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="636"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="637"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="638"/>
        <source>finished with failures</source>
        <translation>已完成，有失败项</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="640"/>
        <source>dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="640"/>
        <source>project</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="655"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="655"/>
        <source>Clips</source>
        <translation>片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="655"/>
        <location filename="../../localclip/gui/intake.py" line="695"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="682"/>
        <source>Reading the durations: {done} of {total} clips</source>
        <translation>正在读取时长：{done} / {total} 个片段</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="689"/>
        <source>%n clip(s) could not be read: see the problems below</source>
        <translation>
            <numerusform>%n 个片段无法读取：请查看下方的问题列表</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="695"/>
        <source>Speaker / reference</source>
        <translation>说话人 / 参考音频</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="695"/>
        <source>Lines</source>
        <translation>台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="754"/>
        <source>No problems found</source>
        <translation>未发现问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="757"/>
        <source>Problems ({total}; the first {shown} are listed)</source>
        <translation>问题（共 {total} 个，列出前 {shown} 个）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="762"/>
        <source>Problems ({total})</source>
        <translation>问题（{total}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="785"/>
        <source>Where the embeddings go</source>
        <translation>嵌入的保存位置</translation>
    </message>
</context>
<context>
    <name>InterpreterRow</name>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="114"/>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="115"/>
        <source>Choose a Python interpreter</source>
        <translation>选择 Python 解释器</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="133"/>
        <source>Worker interpreter</source>
        <translation>工作进程解释器</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="61"/>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="62"/>
        <source>info</source>
        <translation>信息</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="63"/>
        <source>problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="64"/>
        <source>failure</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="65"/>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="68"/>
        <source>Show the log of</source>
        <translation>显示以下对象的日志</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="70"/>
        <source>All workers</source>
        <translation>所有工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="71"/>
        <source>The run only</source>
        <translation>仅运行消息</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="73"/>
        <source>Filter…</source>
        <translation>筛选…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="74"/>
        <source>Filter the log</source>
        <translation>筛选日志</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="76"/>
        <source>&amp;Problems only</source>
        <translation>仅显示问题(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="78"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="79"/>
        <source>Empty the log panel</source>
        <translation>清空日志面板</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="85"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="167"/>
        <source>state: {0}</source>
        <translation>状态：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="179"/>
        <source>{0} failed ({1}): {2}</source>
        <translation>{0} 失败（{1}）：{2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="187"/>
        <source>started: pid {0}, Python {1}, device {2}</source>
        <translation>已启动：进程 ID {0}，Python {1}，设备 {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="195"/>
        <source>{0} ready: loaded in {1}, memory {2}</source>
        <translation>{0} 就绪：加载用时 {1}，内存 {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="205"/>
        <source>exits: {0}</source>
        <translation>退出：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="211"/>
        <source>run finished: {0} done, {1} failed, {2} cancelled in {3}</source>
        <translation>运行结束：{0} 个完成，{1} 个失败，{2} 个取消，用时 {3}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="218"/>
        <source> (cancelled)</source>
        <translation>（已取消）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="265"/>
        <source>worker {0}</source>
        <translation>工作进程 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="265"/>
        <source>run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="271"/>
        <source>Worker {0}</source>
        <translation>工作进程 {0}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="125"/>
        <source>Drop a folder to begin</source>
        <translation>拖入一个文件夹即可开始</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="144"/>
        <source>&amp;Open folder…</source>
        <translation>打开文件夹(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="147"/>
        <source>Open a dataset folder or a cloning project folder (Ctrl+O)</source>
        <translation>打开数据集文件夹或克隆项目文件夹 (Ctrl+O)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="151"/>
        <location filename="../../localclip/gui/main_window.py" line="196"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="151"/>
        <source>Run every folder that is ready, one after another (F5)</source>
        <translation>依次运行所有就绪的文件夹 (F5)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="155"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="158"/>
        <source>Stop the run; what is finished is kept (Shift+F5)</source>
        <translation>停止运行；已完成的结果会保留 (Shift+F5)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="162"/>
        <source>Check &amp;workers</source>
        <translation>检查工作进程(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="165"/>
        <source>Start every planned worker once and report what it can do</source>
        <translation>将计划中的每个工作进程启动一次，并报告其能力</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="169"/>
        <source>Manage &amp;models…</source>
        <translation>管理模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="169"/>
        <source>Download models, or check the ones you have</source>
        <translation>下载模型，或检查已有的模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="172"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="174"/>
        <source>&amp;About LocalClip</source>
        <translation>关于 LocalClip(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="178"/>
        <source>&amp;Folder</source>
        <translation>文件夹(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="179"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="180"/>
        <source>&amp;Workers</source>
        <translation>工作进程(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="181"/>
        <location filename="../../localclip/gui/main_window.py" line="257"/>
        <source>&amp;Log</source>
        <translation>日志(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="182"/>
        <source>Re&amp;view</source>
        <translation>审听(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="183"/>
        <location filename="../../localclip/gui/main_window.py" line="259"/>
        <source>S&amp;peakers</source>
        <translation>说话人(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="192"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="199"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="205"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="208"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="212"/>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="231"/>
        <source>Fol&amp;der</source>
        <translation>文件夹(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="232"/>
        <source>Settin&amp;gs</source>
        <translation>设置(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="256"/>
        <source>Wor&amp;kers</source>
        <translation>工作进程(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="258"/>
        <source>Revie&amp;w</source>
        <translation>审听(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="263"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="365"/>
        <source>LocalClip</source>
        <translation>LocalClip</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="366"/>
        <source>Part of the window could not be loaded: {error}</source>
        <translation>窗口的部分内容无法加载：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="446"/>
        <source>Opened {folder}</source>
        <translation>已打开 {folder}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="452"/>
        <source>{name} cannot be used: {error}</source>
        <translation>{name} 无法使用：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="454"/>
        <source>{name} is ready to run</source>
        <translation>{name} 已可以运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="463"/>
        <location filename="../../localclip/gui/main_window.py" line="467"/>
        <source>Start over</source>
        <translation>重新开始</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="465"/>
        <source>Compute the embedding of every clip of {name} again? The results already there are replaced.</source>
        <translation>要重新计算 {name} 中所有片段的嵌入吗？现有结果将被替换。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="494"/>
        <source>Drop folders, not files: a dataset folder or a cloning project folder</source>
        <translation>请拖入文件夹而不是文件：数据集文件夹或克隆项目文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="510"/>
        <source>A run of this project is going on</source>
        <translation>此项目正在运行中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="511"/>
        <source>Embedding</source>
        <translation>正在提取嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="511"/>
        <source>Cloning</source>
        <translation>正在克隆</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="512"/>
        <source>{what} {name}</source>
        <translation>{what}：{name}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="514"/>
        <source>{what} {folder} with {python}</source>
        <translation>{what}：{folder}，使用 {python}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="563"/>
        <source>Checking the workers</source>
        <translation>正在检查工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="628"/>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="629"/>
        <source>Preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="630"/>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="631"/>
        <source>Cancelling</source>
        <translation>正在取消</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="632"/>
        <source>Finishing</source>
        <translation>正在收尾</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="633"/>
        <source>Stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="642"/>
        <source>Nothing to run yet: drop a dataset or a cloning project folder on the window.</source>
        <translation>暂无可运行的内容：请将数据集或克隆项目文件夹拖到窗口中。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/main_window.py" line="643"/>
        <source>Ready to run: %n folder(s). Press Run (F5).</source>
        <translation>
            <numerusform>%n 个文件夹已就绪。按“运行”(F5) 开始。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="655"/>
        <source>About LocalClip</source>
        <translation>关于 LocalClip</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="657"/>
        <source>&lt;b&gt;LocalClip {version}&lt;/b&gt;&lt;p&gt;Speaker embeddings and voice cloning on your own GPUs, for video editors.&lt;/p&gt;</source>
        <translation>&lt;b&gt;LocalClip {version}&lt;/b&gt;&lt;p&gt;在您自己的 GPU 上完成说话人嵌入与声音克隆，专为视频剪辑师打造。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="692"/>
        <source>A run is going on</source>
        <translation>正在运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="694"/>
        <source>Stop the run and close LocalClip? What is finished is kept: run the folder again to resume.</source>
        <translation>要停止运行并关闭 LocalClip 吗？已完成的结果会保留：再次运行该文件夹即可继续。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="696"/>
        <source>Stop and close</source>
        <translation>停止并关闭</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="713"/>
        <source>Stopping the workers…</source>
        <translation>正在停止工作进程…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="750"/>
        <source>CUDA usable</source>
        <translation>CUDA 可用</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="752"/>
        <source>no CUDA device</source>
        <translation>无 CUDA 设备</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="753"/>
        <source>worker {worker}: Python {python}, torch {torch}, {cuda}</source>
        <translation>工作进程 {worker}：Python {python}，torch {torch}，{cuda}</translation>
    </message>
</context>
<context>
    <name>ModelFolderRow</name>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="74"/>
        <source>No folder chosen</source>
        <translation>未选择文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="75"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="62"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="63"/>
        <source>Used for</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="64"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="65"/>
        <location filename="../../localclip/gui/model_manager.py" line="273"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="66"/>
        <source>In use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="94"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="110"/>
        <source>LocalClip needs a WeSpeaker model to tell voices apart and a Fish-Speech model to clone them. Download them here, or use folders you already have.</source>
        <translation>LocalClip 需要 WeSpeaker 模型来区分声音，需要 Fish-Speech 模型来克隆声音。可在此下载，也可以使用已有的模型文件夹。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="128"/>
        <source>Details</source>
        <translation>详细信息</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="170"/>
        <source>hf_… (your Hugging Face access token)</source>
        <translation>hf_…（您的 Hugging Face 访问令牌）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="171"/>
        <source>Get a token</source>
        <translation>获取令牌</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="174"/>
        <source>Access token:</source>
        <translation>访问令牌：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="180"/>
        <location filename="../../localclip/gui/model_manager.py" line="287"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="181"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="182"/>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="183"/>
        <source>Use a folder I already have…</source>
        <translation>使用已有的文件夹…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="188"/>
        <source>Demo models…</source>
        <translation>演示模型…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="189"/>
        <source>Models with random weights, built here, to try LocalClip</source>
        <translation>在本机构建的随机权重模型，用于试用 LocalClip</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="231"/>
        <source>Voices (embeddings)</source>
        <translation>区分声音（嵌入）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="233"/>
        <source>Voice cloning</source>
        <translation>声音克隆</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="236"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="242"/>
        <source>Downloads go to: {0}</source>
        <translation>下载位置：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="245"/>
        <location filename="../../localclip/gui/model_manager.py" line="410"/>
        <source>WeSpeaker model</source>
        <translation>WeSpeaker 模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="245"/>
        <location filename="../../localclip/gui/model_manager.py" line="410"/>
        <source>Fish-Speech model</source>
        <translation>Fish-Speech 模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="246"/>
        <source>none chosen yet</source>
        <translation>尚未选择</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="253"/>
        <source>Not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="254"/>
        <source>Partly downloaded</source>
        <translation>部分已下载</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="255"/>
        <source>Installed and verified</source>
        <translation>已安装并校验</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="257"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="258"/>
        <source>Broken: {0}</source>
        <translation>已损坏：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="270"/>
        <source>Gated: accept the licence on the model page while logged in to Hugging Face, then give your access token below.</source>
        <translation>受限模型：请登录 Hugging Face，在模型页面上接受许可协议，然后在下方填写您的访问令牌。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="273"/>
        <source>Licence</source>
        <translation>许可协议</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="273"/>
        <source>Model page</source>
        <translation>模型页面</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="284"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="285"/>
        <source>Repair</source>
        <translation>修复</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="317"/>
        <source>{0} is gated: accept the licence at {1} and give your access token.</source>
        <translation>{0} 为受限模型：请在 {1} 接受许可协议，并填写您的访问令牌。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="329"/>
        <source>Downloading {0}…</source>
        <translation>正在下载 {0}…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="330"/>
        <source>Asking the hub for the files…</source>
        <translation>正在向模型仓库查询文件…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="348"/>
        <source>{0}: {1} of {2}</source>
        <translation>{0}：{1} / {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="352"/>
        <source>, {0}/s</source>
        <translation>，{0}/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="362"/>
        <source>Paused. What arrived is kept; Resume continues from there.</source>
        <translation>已暂停。已下载的部分会保留；点击“继续”可从断点处接着下载。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="367"/>
        <source>The download stopped unexpectedly (exit code {0}).</source>
        <translation>下载意外中止（退出代码 {0}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="376"/>
        <source>{0} is downloaded and verified.</source>
        <translation>{0} 已下载并校验。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="379"/>
        <source>LocalClip uses it now.</source>
        <translation>LocalClip 现在使用该模型。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="381"/>
        <source>Click Use to work with it.</source>
        <translation>点击“使用”即可启用。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="393"/>
        <source>LocalClip uses {0} now.</source>
        <translation>LocalClip 现在使用 {0}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="398"/>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="407"/>
        <source>This folder cannot be used: {0}</source>
        <translation>此文件夹无法使用：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="411"/>
        <source>{0}: LocalClip uses {1} now.</source>
        <translation>{0}：LocalClip 现在使用 {1}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="426"/>
        <source>Demo models have random weights: LocalClip runs its whole pipeline with them, but the similarities mean nothing and the cloned clips are noise in the shape of speech. Build them?</source>
        <translation>演示模型的权重是随机的：LocalClip 可以用它们跑通完整流程，但相似度没有意义，克隆出的片段只是具有语音形态的噪声。要构建吗？</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="430"/>
        <source>Demo models</source>
        <translation>演示模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="438"/>
        <source>Building the demo models (about a minute)…</source>
        <translation>正在构建演示模型（约需一分钟）…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="446"/>
        <source>Demo models are in {0}.</source>
        <translation>演示模型位于 {0}。</translation>
    </message>
</context>
<context>
    <name>ResumeBanner</name>
    <message>
        <location filename="../../localclip/gui/intake.py" line="160"/>
        <source>Res&amp;ume</source>
        <translation>继续(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="161"/>
        <source>Start &amp;over</source>
        <translation>重新开始(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="162"/>
        <source>Show r&amp;esults</source>
        <translation>显示结果(&amp;E)</translation>
    </message>
</context>
<context>
    <name>ReviewTableModel</name>
    <message>
        <location filename="../../localclip/gui/review.py" line="101"/>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="102"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="103"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="104"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="105"/>
        <source>Take</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="106"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="109"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="110"/>
        <source>script changed</source>
        <translation>脚本已更改</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="111"/>
        <source>file missing</source>
        <translation>文件缺失</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="112"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="113"/>
        <source>not generated</source>
        <translation>未生成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="114"/>
        <source>cannot be generated</source>
        <translation>无法生成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="191"/>
        <source>{0:.1f} s</source>
        <translation>{0:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="195"/>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="213"/>
        <source>Take {0} is kept; the line has %n take(s)</source>
        <translation>
            <numerusform>保留第 {0} 版；这一行共有 %n 个版本</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message>
        <location filename="../../localclip/gui/review.py" line="303"/>
        <source>Reading {0}…</source>
        <translation>正在读取 {0}…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="387"/>
        <source>Line {0} has no clip to play ({1}).</source>
        <translation>台词 {0} 没有可播放的片段（{1}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="412"/>
        <source>New takes cannot be made now.</source>
        <translation>现在无法生成新版本。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="424"/>
        <source>No new take of line {0}: {1}</source>
        <translation>台词 {0} 未生成新版本：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="431"/>
        <source>Takes cannot be chosen now.</source>
        <translation>现在无法选择版本。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="437"/>
        <source>Take {0} of line {1} cannot be kept: {2}</source>
        <translation>无法保留台词 {1} 的第 {0} 版：{2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="474"/>
        <source>Nothing was exported: {0}</source>
        <translation>未导出任何内容：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="477"/>
        <source>Nothing was exported: none of these lines has a kept take.</source>
        <translation>未导出任何内容：这些台词都没有保留的版本。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="483"/>
        <source>: nothing was exported.</source>
        <translation>：未导出任何内容。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="490"/>
        <source>
… and {0} more</source>
        <translation>
… 以及另外 {0} 个</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="493"/>
        <source>Replace files?</source>
        <translation>替换文件？</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="502"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="508"/>
        <source>Export cancelled: nothing was written.</source>
        <translation>导出已取消：未写入任何内容。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="495"/>
        <source>%n file(s) in {0} would be replaced by this export:

{1}{2}</source>
        <translation>
            <numerusform>此次导出将替换 {0} 中的 %n 个文件：

{1}{2}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="531"/>
        <source>Exporting %n take(s) to {0}…</source>
        <translation>
            <numerusform>正在将 %n 个版本导出到 {0}…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="540"/>
        <source>Exported %n take(s) and {0} to {1}.</source>
        <translation>
            <numerusform>已将 %n 个版本和 {0} 导出到 {1}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="544"/>
        <source>%n line(s) without a kept take were left out.</source>
        <translation>
            <numerusform>%n 行没有保留的版本，未导出。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="546"/>
        <source>Export stopped after %n take(s); lines.csv lists them.</source>
        <translation>
            <numerusform>导出在 %n 个版本后停止；lines.csv 列出了它们。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="555"/>
        <source>The export did not finish: {0}</source>
        <translation>导出未完成：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="557"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="557"/>
        <source>The export did not finish.</source>
        <translation>导出未完成。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="561"/>
        <source>Export the kept takes to</source>
        <translation>将保留的版本导出到</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="568"/>
        <source>No project</source>
        <translation>无项目</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="574"/>
        <source>Filter by id, speaker or text</source>
        <translation>按 ID、说话人或文本筛选</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="578"/>
        <source>All lines</source>
        <translation>所有台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="578"/>
        <source>Needs attention</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="578"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="580"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="648"/>
        <source>&amp;Kept take:</source>
        <translation>保留版本(&amp;K)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="657"/>
        <location filename="../../localclip/gui/review.py" line="770"/>
        <source>&amp;Play</source>
        <translation>播放(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="658"/>
        <source>Play or stop the selected line (Space)</source>
        <translation>播放或停止所选台词 (空格键)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="660"/>
        <source>Play &amp;next automatically</source>
        <translation>自动播放下一句(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="669"/>
        <source>&amp;Regenerate</source>
        <translation>重新生成(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="671"/>
        <source>Make a new take of the selected line; its earlier takes are kept (R)</source>
        <translation>为所选台词生成新版本；之前的版本会保留 (R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="674"/>
        <source>&amp;Export kept takes…</source>
        <translation>导出保留的版本(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="676"/>
        <source>Copy the kept take of every line shown into a folder, with lines.csv describing them</source>
        <translation>将当前显示的每句台词的保留版本复制到一个文件夹，并附带说明它们的 lines.csv</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="724"/>
        <source>This project has no lines yet.</source>
        <translation>此项目还没有台词。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="419"/>
        <location filename="../../localclip/gui/review.py" line="731"/>
        <source>queued</source>
        <translation>已排队</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="744"/>
        <source>{0} cannot be reviewed: {1}</source>
        <translation>无法审听 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="748"/>
        <source>Review</source>
        <translation>审听</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="749"/>
        <source>{0} could not be read.</source>
        <translation>无法读取 {0}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="770"/>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="823"/>
        <source>take {0} queued</source>
        <translation>第 {0} 版已排队</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="831"/>
        <source>making a new take…</source>
        <translation>正在生成新版本…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="843"/>
        <source>Line {0}: take {1} is ready.</source>
        <translation>台词 {0}：第 {1} 版已就绪。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="851"/>
        <source>Line {0}: the new take failed: {1}</source>
        <translation>台词 {0}：新版本生成失败：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="887"/>
        <source>{0}: {1}</source>
        <translation>{0}：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="891"/>
        <source>Take {0} · {1:.1f} s · seed {2}</source>
        <translation>第 {0} 版 · {1:.1f} 秒 · 种子 {2}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="918"/>
        <source>%n line(s)</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="923"/>
        <source>%n need(s) attention</source>
        <translation>
            <numerusform>%n 行需要处理</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="920"/>
        <source>{0} done</source>
        <translation>{0} 句已完成</translation>
    </message>
</context>
<context>
    <name>RunController</name>
    <message>
        <location filename="../../localclip/runs/queue.py" line="115"/>
        <source>Cancelling: stopping the workers…</source>
        <translation>正在取消：正在停止工作进程…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="151"/>
        <source>Cannot check the workers</source>
        <translation>无法检查工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="161"/>
        <source>The workers cannot start</source>
        <translation>工作进程无法启动</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="166"/>
        <source>Checking the workers…</source>
        <translation>正在检查工作进程…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="190"/>
        <source>speaker embedding (WeSpeaker)</source>
        <translation>说话人嵌入（WeSpeaker）</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="192"/>
        <source>voice cloning (Fish-Speech)</source>
        <translation>声音克隆（Fish-Speech）</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="196"/>
        <source>No {what} model is chosen. Choose its folder in Settings, or get one with Manage models.</source>
        <translation>尚未选择{what}模型。请在“设置”中选择其文件夹，或通过“管理模型”获取。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="202"/>
        <source>Checking the model…</source>
        <translation>正在检查模型…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="218"/>
        <source>The model folder could not be checked: {error}</source>
        <translation>无法检查模型文件夹：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="265"/>
        <source>Running {name}…</source>
        <translation>正在运行 {name}…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="269"/>
        <source>The run cannot start</source>
        <translation>无法开始运行</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="307"/>
        <source>Making one embedding per speaker…</source>
        <translation>正在为每个说话人生成嵌入…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="331"/>
        <source>Speaker embeddings were not made</source>
        <translation>未能生成说话人嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="333"/>
        <source>The clips&apos; embeddings are saved, but one embedding per speaker could not be made: {error}</source>
        <translation>片段的嵌入已保存，但无法为每个说话人生成嵌入：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="375"/>
        <source>Worker check finished: {done} answered, {failed} failed</source>
        <translation>工作进程检查完成：{done} 个响应，{failed} 个失败</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="405"/>
        <source>{name}: stopped: {reason}. Nothing was marked failed; run it again once fixed.</source>
        <translation>{name}：已停止：{reason}。没有任何条目被标记为失败；修正后再次运行即可。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="409"/>
        <source>{name}: cancelled. Run it again to resume where it stopped.</source>
        <translation>{name}：已取消。再次运行即可从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="413"/>
        <source>{name}: {done} clips embedded, {failed} failed, {skipped} already done ({seconds:.1f} s)</source>
        <translation>{name}：已为 {done} 个片段提取嵌入，{failed} 个失败，{skipped} 个此前已完成（{seconds:.1f} 秒）</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="423"/>
        <source>{name}: {done} lines generated, {failed} failed, {up} up to date ({seconds:.1f} s)</source>
        <translation>{name}：已生成 {done} 句台词，{failed} 句失败，{up} 句已是最新（{seconds:.1f} 秒）</translation>
    </message>
</context>
<context>
    <name>RunProgress</name>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="95"/>
        <source>clips</source>
        <translation>片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="96"/>
        <source>lines</source>
        <translation>台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="97"/>
        <source>items</source>
        <translation>项</translation>
    </message>
</context>
<context>
    <name>RunProgressWidget</name>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="592"/>
        <source>Overall progress</source>
        <translation>总体进度</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="593"/>
        <location filename="../../localclip/gui/worker_panes.py" line="635"/>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="660"/>
        <source>Starting the workers…</source>
        <translation>正在启动工作进程…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="682"/>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="690"/>
        <source>{0} of {1} {2} done</source>
        <translation>{2}：已完成 {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="694"/>
        <source> · {0} already done before</source>
        <translation> · {0} 个此前已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="696"/>
        <source> · {0} failed</source>
        <translation> · {0} 个失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="703"/>
        <source>{0} {1}/s</source>
        <translation>{0} {1}/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="706"/>
        <source>{0} tokens/s</source>
        <translation>{0} token/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="708"/>
        <source>took {0}</source>
        <translation>用时 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="710"/>
        <source>about {0} left</source>
        <translation>剩余约 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="712"/>
        <source>{0} elapsed</source>
        <translation>已用时 {0}</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="178"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="185"/>
        <source>&amp;Manage models…</source>
        <translation>管理模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="186"/>
        <source>Download models, or check the ones you have</source>
        <translation>下载模型，或检查已有的模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="188"/>
        <source>Speaker &amp;embeddings (WeSpeaker):</source>
        <translation>说话人嵌入 (WeSpeaker)(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="189"/>
        <source>Voice &amp;cloning (Fish-Speech):</source>
        <translation>声音克隆 (Fish-Speech)(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="194"/>
        <source>Workers</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="200"/>
        <source>GPU if there is one, else CPU</source>
        <translation>优先使用 GPU，没有则使用 CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="201"/>
        <source>GPU only</source>
        <translation>仅 GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="202"/>
        <source>CPU only</source>
        <translation>仅 CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="207"/>
        <source>No limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="208"/>
        <source>The most worker processes a run starts, over all GPUs</source>
        <translation>一次运行在所有 GPU 上最多启动的工作进程数</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="211"/>
        <source>GPU memory a voice cloning model instance needs; it decides how many fit on each GPU</source>
        <translation>每个声音克隆模型实例所需的显存；决定每块 GPU 能容纳多少个实例</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="214"/>
        <source>GPU memory a speaker embedding model instance needs</source>
        <translation>每个说话人嵌入模型实例所需的显存</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="215"/>
        <source>Dev&amp;ice:</source>
        <translation>设备(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="216"/>
        <source>Ma&amp;ximum workers:</source>
        <translation>最大工作进程数(&amp;X)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="217"/>
        <source>Memory per cl&amp;oning instance:</source>
        <translation>每个克隆实例的显存(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="218"/>
        <source>Memory per embedding in&amp;stance:</source>
        <translation>每个嵌入实例的显存(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="222"/>
        <source>Speaker embeddings</source>
        <translation>说话人嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="225"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="226"/>
        <source>Clips per batch on the GPU; automatic grows it to what fits</source>
        <translation>GPU 上每批处理的片段数；设为自动时会增大到显存可容纳的数量</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="227"/>
        <source>&amp;Normalise clips before averaging</source>
        <translation>求平均前先对片段嵌入归一化(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="230"/>
        <source>Speakers with fewer embedded clips get no speaker embedding</source>
        <translation>已提取嵌入的片段少于此数的说话人不生成说话人嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="233"/>
        <source>Exact (float32, as WeSpeaker)</source>
        <translation>精确（float32，与 WeSpeaker 相同）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="234"/>
        <source>TF32</source>
        <translation>TF32</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="235"/>
        <source>bfloat16</source>
        <translation>bfloat16</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="236"/>
        <source>float16</source>
        <translation>float16</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="240"/>
        <source>The model&apos;s arithmetic on a GPU; faster modes round more. The CPU computes exact.</source>
        <translation>模型在 GPU 上的运算精度；越快的模式舍入越多。CPU 始终精确计算。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="245"/>
        <source>&amp;Batch size:</source>
        <translation>批大小(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="246"/>
        <source>GPU &amp;precision:</source>
        <translation>GPU 精度(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="247"/>
        <source>Minimum clips per spe&amp;aker:</source>
        <translation>每个说话人的最少片段数(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="252"/>
        <source>Voice cloning</source>
        <translation>声音克隆</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="258"/>
        <source>Model&apos;s limit</source>
        <translation>模型上限</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="259"/>
        <source>About 21.5 tokens per second of speech</source>
        <translation>每秒语音约 21.5 个 token</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="260"/>
        <source>Random seed for every line</source>
        <translation>每句台词使用随机种子</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="264"/>
        <source>The same seed makes the same clip from the same inputs</source>
        <translation>相同输入和相同种子会生成相同的片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="267"/>
        <source>Temperat&amp;ure:</source>
        <translation>温度(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="268"/>
        <source>Top-p:</source>
        <translation>Top-p：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="269"/>
        <source>Repetition penalt&amp;y:</source>
        <translation>重复惩罚(&amp;Y)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="270"/>
        <source>Maximum new tokens:</source>
        <translation>最大新 token 数：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="271"/>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="276"/>
        <source>Worker interpreters</source>
        <translation>工作进程解释器</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="281"/>
        <source>All &amp;jobs:</source>
        <translation>所有任务(&amp;J)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="282"/>
        <source>Speaker embeddings:</source>
        <translation>说话人嵌入：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="283"/>
        <source>Voice cloning:</source>
        <translation>声音克隆：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="292"/>
        <source>Empty: the bundled worker environment. To use an environment of your own, install the worker program into it first.</source>
        <translation>留空：使用内置的工作进程环境。若要使用自己的环境，请先在其中安装工作进程程序。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="302"/>
        <source>Interface</source>
        <translation>界面</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="306"/>
        <source>System language ({language})</source>
        <translation>系统语言（{language}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="311"/>
        <source>The new language is used the next time LocalClip starts.</source>
        <translation>新语言将在下次启动 LocalClip 时生效。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="315"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="347"/>
        <source> GB</source>
        <translation> GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="379"/>
        <source>Bundled: {path}</source>
        <translation>内置：{path}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="381"/>
        <source>As for all jobs</source>
        <translation>与“所有任务”相同</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="432"/>
        <source>Not found: the run will stop with this message until it is fixed.</source>
        <translation>未找到：修复之前，运行会因此停止并显示此消息。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="434"/>
        <source>Not executable: check its permissions.</source>
        <translation>不可执行：请检查其权限。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="459"/>
        <source>Choose a WeSpeaker model folder</source>
        <translation>选择 WeSpeaker 模型文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="461"/>
        <source>Choose a Fish-Speech checkpoint folder</source>
        <translation>选择 Fish-Speech 检查点文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="474"/>
        <source>Choose a folder, or get a model with Manage models.</source>
        <translation>请选择一个文件夹，或通过“管理模型”获取模型。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="476"/>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="491"/>
        <source>{model}, {dim}-dimensional embeddings</source>
        <translation>{model}，{dim} 维嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="495"/>
        <source>Fish-Speech checkpoint with its codec</source>
        <translation>Fish-Speech 检查点及其编解码器</translation>
    </message>
</context>
<context>
    <name>SimilarPairsModel</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="553"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="553"/>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
</context>
<context>
    <name>SimilarityHeatMap</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="136"/>
        <source>Speaker similarity map</source>
        <translation>说话人相似度图</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="174"/>
        <source>{0}: the speaker itself ({1:.3f})</source>
        <translation>{0}：说话人自身（{1:.3f}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="175"/>
        <source>{0} and {1}: similarity {2:.3f}</source>
        <translation>{0} 与 {1}：相似度 {2:.3f}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="313"/>
        <source>No speakers to compare</source>
        <translation>没有可比较的说话人</translation>
    </message>
</context>
<context>
    <name>SimilarityLegend</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="461"/>
        <source>Colour scale of the similarity map</source>
        <translation>相似度图的色标</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="466"/>
        <source>Cosine similarity of speaker embeddings: {0:.2f} (dark) to {1:.2f} (bright)</source>
        <translation>说话人嵌入的余弦相似度：{0:.2f}（暗）到 {1:.2f}（亮）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="487"/>
        <source>{0:.2f} less alike</source>
        <translation>{0:.2f} 较不相似</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="489"/>
        <source>cosine similarity</source>
        <translation>余弦相似度</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="491"/>
        <source>more alike {0:.2f}</source>
        <translation>较相似 {0:.2f}</translation>
    </message>
</context>
<context>
    <name>SpeakerCountsModel</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="505"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="506"/>
        <source>Clips used</source>
        <translation>已用片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="507"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="508"/>
        <source>Most alike</source>
        <translation>最相似</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="509"/>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="540"/>
        <source>Every clip of this speaker failed: it has no embedding to compare</source>
        <translation>此说话人的所有片段均失败：没有可比较的嵌入</translation>
    </message>
</context>
<context>
    <name>SpeakerResultsView</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="621"/>
        <source>Reading {0}…</source>
        <translation>正在读取 {0}…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="637"/>
        <source>{0}: {1} speakers, {2} clips used, {3} failed</source>
        <translation>{0}：{1} 个说话人，已用 {2} 个片段，{3} 个失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="644"/>
        <source>Click a cell, or choose a speaker or a pair, to compare two speakers.</source>
        <translation>单击一个单元格，或选择一个说话人或一对说话人，即可比较两个说话人。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="655"/>
        <location filename="../../localclip/gui/speaker_map.py" line="660"/>
        <source>No embedding results</source>
        <translation>没有嵌入结果</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="691"/>
        <source>Most alike pairs (same voice in two folders?)</source>
        <translation>最相似的说话人对（两个文件夹中是同一个声音？）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="699"/>
        <source>&amp;Fit</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="700"/>
        <source>Show the whole map (0)</source>
        <translation>显示整张图 (0)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="703"/>
        <source>Zoom in (+, or Ctrl and the mouse wheel)</source>
        <translation>放大（+，或按住 Ctrl 滚动鼠标滚轮）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="704"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="707"/>
        <source>Zoom out (-)</source>
        <translation>缩小 (-)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="708"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="758"/>
        <source>No results to show: {0}</source>
        <translation>没有可显示的结果：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="762"/>
        <source>Embedding results</source>
        <translation>嵌入结果</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="763"/>
        <source>The results in {0} could not be read.</source>
        <translation>无法读取 {0} 中的结果。</translation>
    </message>
</context>
<context>
    <name>TakeRegenerator</name>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="101"/>
        <source>This project has not been cloned yet and no Fish-Speech model folder is chosen: choose one in the run settings, or run the project once.</source>
        <translation>此项目尚未克隆，也未选择 Fish-Speech 模型文件夹：请在运行设置中选择一个，或先运行一次项目。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="210"/>
        <source>The workers are shutting down.</source>
        <translation>工作进程正在关闭。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="214"/>
        <source>A new take of line {0} is already being made.</source>
        <translation>第 {0} 行的新版本正在生成中。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="479"/>
        <source>The warm cloning worker was stopped after {0:g} minutes unused; the next new take starts it again.</source>
        <translation>克隆工作进程闲置 {0:g} 分钟后已停止；下次生成新版本时会重新启动。</translation>
    </message>
</context>
<context>
    <name>Units</name>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="38"/>
        <location filename="../../localclip/gui/formatting.py" line="44"/>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="18"/>
        <source>{0} GB</source>
        <translation>{0} GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="19"/>
        <source>{0} MB</source>
        <translation>{0} MB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="35"/>
        <source>{0} h {1} min</source>
        <translation>{0} 小时 {1} 分</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="37"/>
        <source>{0} min {1} s</source>
        <translation>{0} 分 {1} 秒</translation>
    </message>
</context>
<context>
    <name>WorkerPane</name>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="77"/>
        <source>starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="78"/>
        <source>loading model</source>
        <translation>正在加载模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="79"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="80"/>
        <source>working</source>
        <translation>工作中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="81"/>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="82"/>
        <source>restarting</source>
        <translation>正在重启</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="83"/>
        <source>stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="84"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="85"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="86"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="87"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="180"/>
        <location filename="../../localclip/gui/worker_panes.py" line="181"/>
        <source>Worker {0}</source>
        <translation>工作进程 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="187"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="193"/>
        <source>Progress of the current unit of work</source>
        <translation>当前工作单元的进度</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="196"/>
        <source>Skipped: items this worker handed back unfinished (cancelled, or passed to another worker)</source>
        <translation>跳过：此工作进程未完成而交回的项（已取消，或已转交给其他工作进程）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="202"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="203"/>
        <source>Show the last lines this worker wrote to its log</source>
        <translation>显示此工作进程最近写入日志的几行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="212"/>
        <source>Worker output</source>
        <translation>工作进程输出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="216"/>
        <source>Show in log panel</source>
        <translation>在日志面板中显示</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="229"/>
        <source>Speaker:</source>
        <translation>说话人：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="230"/>
        <source>Item:</source>
        <translation>当前项：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="251"/>
        <source>Done {0} · Skipped {1} · Failed {2}</source>
        <translation>完成 {0} · 跳过 {1} · 失败 {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="256"/>
        <source>{0}
Last failure: {1}</source>
        <translation>{0}
最近一次失败：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="269"/>
        <source>(nothing written yet)</source>
        <translation>（尚无输出）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="274"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="274"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="281"/>
        <source>Process id {0}</source>
        <translation>进程 ID {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="288"/>
        <source>Model loaded in {0}</source>
        <translation>模型加载用时 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="302"/>
        <source>Restarted {0}× · last: {1}</source>
        <translation>已重启 {0} 次 · 最近一次：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="317"/>
        <source>{0} (+{1} more in this batch)</source>
        <translation>{0}（本批次另有 {1} 项）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="323"/>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="325"/>
        <source>loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="328"/>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="331"/>
        <source> · {0} {1} of {2}</source>
        <translation> · {0} {1} / {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="332"/>
        <source>step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="350"/>
        <source>{0} tokens/s</source>
        <translation>{0} token/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="353"/>
        <source>{0} items/s</source>
        <translation>{0} 项/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="354"/>
        <source>RAM {0}</source>
        <translation>内存 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="356"/>
        <source>GPU {0}</source>
        <translation>显存 {0}</translation>
    </message>
</context>
<context>
    <name>WorkerPanesView</name>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="424"/>
        <source>No workers are running. They appear here when a run starts.</source>
        <translation>没有正在运行的工作进程。开始运行后，它们会显示在这里。</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../localclip/gui/errors.py" line="54"/>
        <source>LocalClip</source>
        <translation>LocalClip</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/errors.py" line="55"/>
        <source>Something went wrong inside LocalClip. Your files were not changed by it; you can go on working. If it happens again, please send the details below with a bug report.</source>
        <translation>LocalClip 内部出现错误。您的文件未因此受到改动，可以继续工作。如果再次出现，请在错误报告中附上下方的详细信息。</translation>
    </message>
</context>
</TS>
