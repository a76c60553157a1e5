"""The embedding results pane: per speaker how many clips went into its embedding and how many failed,
and a heat map of how alike every two speakers are, so that two folders holding one voice stand out.

The numbers come from core/speaker_similarity (read on a background thread). The heat map paints an
image of the matrix, one pixel per cell, scaled to the zoom: only the visible part is drawn, and labels
only for visible rows and columns, so 1,000 speakers (a million cells) repaint in milliseconds. Scaled
below one pixel a cell, each pixel shows the most alike pair it covers, so a same-voice pair never
disappears from the overview.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QImage,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from localclip.core.embedding.export import (
    EXPORT_FORMATS,
    MARKER_FILE_NAME,
    ExportReport,
    ExportTargetError,
    export_store,
)
from localclip.core.embedding.similarity import (
    SpeakerResults,
    load_speaker_results,
    speaker_label,
    value_range,
)
from localclip.core.embedding.store import EmbeddingStore, StoreMismatch, StoreNotFound
from localclip.core.files import UnsafeName
from localclip.gui.errors import show_error
from localclip.gui.table_model import HeadedTableModel
from localclip.runs.background import BackgroundTask, error_details

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PAIRS_SHOWN = 200
MAX_CELL = 96.0  # pixels: a few speakers fill the view; more only wastes the screen
LABEL_LIMIT = 180  # pixels for a name beside the map; longer names are elided (the tooltip has them whole)

# A perceptually even dark-to-bright scale (blue, teal, green, yellow): the brightest cells are the most
# alike pairs, readable without colour vision too (brightness rises steadily).
_ANCHORS = np.array(
    [(48, 18, 59), (50, 90, 160), (33, 145, 140), (94, 201, 98), (253, 231, 37)], dtype=np.float64
)


def colour_table(size: int = 256) -> np.ndarray:
    """(size,) uint32 ARGB colours from dark (least alike) to bright (most alike)."""
    positions = np.linspace(0, len(_ANCHORS) - 1, size)
    channels = [np.interp(positions, np.arange(len(_ANCHORS)), _ANCHORS[:, c]) for c in range(3)]
    red, green, blue = (np.round(channel).astype(np.uint32) for channel in channels)
    return (0xFF000000 | (red << 16) | (green << 8) | blue).astype(np.uint32)


COLOURS = colour_table()


def colour_indices(values: np.ndarray, low: float, high: float) -> np.ndarray:
    scaled = (np.asarray(values, dtype=np.float64) - low) / max(high - low, 1e-9)
    scaled = np.nan_to_num(scaled, nan=0.0, neginf=0.0, posinf=1.0)
    return np.clip(np.round(scaled * (len(COLOURS) - 1)), 0, len(COLOURS) - 1).astype(np.intp)


def colour_for(value: float, low: float, high: float) -> QColor:
    return QColor.fromRgba(int(COLOURS[colour_indices(np.array([value]), low, high)[0]]))


def matrix_image(values: np.ndarray, low: float, high: float) -> QImage:
    """One pixel per cell, coloured by value."""
    rows, columns = values.shape
    pixels = np.ascontiguousarray(COLOURS[colour_indices(values, low, high)])
    image = QImage(pixels.data, columns, rows, columns * 4, QImage.Format.Format_RGB32)
    return image.copy()  # the array's memory is not Qt's to keep


def pooled_max(similarity: np.ndarray, factor: int) -> np.ndarray:
    """Blocks of factor x factor cells reduced to their largest value, the diagonal left out (a speaker
    is alike to itself; what matters in an overview is the most alike *pair* of a block)."""
    count = similarity.shape[0]
    masked = similarity.astype(np.float32, copy=True)
    np.fill_diagonal(masked, -np.inf)
    size = math.ceil(count / factor) * factor
    padded = np.full((size, size), -np.inf, dtype=np.float32)
    padded[:count, :count] = masked
    blocks = padded.reshape(size // factor, factor, size // factor, factor)
    return blocks.max(axis=(1, 3))


# --- the heat map -----------------------------------------------------------------------------------------


class SimilarityHeatMap(QAbstractScrollArea):
    """The similarity matrix as coloured cells with speaker names along the left and the top."""

    current_changed = Signal(int, int)  # row, column of the chosen cell

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("similarityHeatMap")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Speaker similarity map"))
        self.viewport().setMouseTracking(True)
        self.setMinimumSize(160, 160)  # 1280x720 at 150 % leaves the pane about 300 pixels of height
        self.labels: list[str] = []
        self.similarity = np.zeros((0, 0), dtype=np.float32)
        self.low, self.high = 0.0, 1.0
        self._image = QImage()
        self._pooled: dict[int, QImage] = {}
        self._cell = 16.0
        self._fit = True  # follow the viewport's size until the person zooms
        self._current: tuple[int, int] | None = None
        self._widest = 0  # pixels of the widest name, at most LABEL_LIMIT

    # -- contents ----------------------------------------------------------------------------------------

    def set_matrix(self, labels: list[str], similarity: np.ndarray) -> None:
        if similarity.shape != (len(labels), len(labels)):
            raise ValueError(f"{len(labels)} labels for a matrix of shape {similarity.shape}")
        self.labels = list(labels)
        self.similarity = np.asarray(similarity, dtype=np.float32)
        self.low, self.high = value_range(self.similarity)
        self._image = matrix_image(self.similarity, self.low, self.high) if len(labels) else QImage()
        self._pooled = {}
        self._measure_labels()
        self._current = None
        self._fit = True
        self._layout()

    @property
    def count(self) -> int:
        return len(self.labels)

    def value_at(self, row: int, column: int) -> float:
        return float(self.similarity[row, column])

    def tooltip_text(self, row: int, column: int) -> str:
        value = self.value_at(row, column)
        if row == column:
            return self.tr("{0}: the speaker itself ({1:.3f})").format(self.labels[row], value)
        return self.tr("{0} and {1}: similarity {2:.3f}").format(self.labels[row], self.labels[column], value)

    @property
    def current(self) -> tuple[int, int] | None:
        return self._current

    def set_current(self, row: int, column: int) -> None:
        if not (0 <= row < self.count and 0 <= column < self.count):
            return
        self._current = (row, column)
        self.ensure_visible(row, column)
        self.viewport().update()
        self.current_changed.emit(row, column)

    # -- geometry ----------------------------------------------------------------------------------------

    @property
    def cell_size(self) -> float:
        return self._cell

    def set_cell_size(self, size: float, anchor: QPoint | None = None) -> None:
        """Zoom to `size` pixels a cell, keeping the cell under `anchor` (viewport point) in place."""
        size = min(MAX_CELL, max(self._fit_size() if self.count else 1.0, size))
        anchor = anchor or QPoint(self.viewport().width() // 2, self.viewport().height() // 2)
        left, top = self._margins()
        cell_x = (anchor.x() - left + self.horizontalScrollBar().value()) / self._cell
        cell_y = (anchor.y() - top + self.verticalScrollBar().value()) / self._cell
        self._fit = False
        self._cell = size
        self._layout()
        new_left, new_top = self._margins()
        self.horizontalScrollBar().setValue(round(cell_x * size - (anchor.x() - new_left)))
        self.verticalScrollBar().setValue(round(cell_y * size - (anchor.y() - new_top)))

    def zoom(self, steps: float, anchor: QPoint | None = None) -> None:
        self.set_cell_size(self._cell * (1.25**steps), anchor)

    def fit(self) -> None:
        self._fit = True
        self._layout()

    def labels_shown(self) -> bool:
        return self.count > 0 and self._cell >= self.fontMetrics().height() * 0.9

    def _margins(self) -> tuple[int, int]:
        if not self.labels_shown():
            return 4, 4
        margin = self._widest + 10
        return margin, margin

    def _fit_size(self) -> float:
        """The cell size at which the whole matrix fits the viewport (names shown when they fit too)."""
        if not self.count:
            return 16.0
        viewport = self.viewport().size()
        room = min(viewport.width(), viewport.height())
        with_labels = (room - self._widest - 10) / self.count
        if with_labels >= self.fontMetrics().height() * 0.9:
            return min(MAX_CELL, with_labels)
        return max(0.05, (room - 8) / self.count)

    def _measure_labels(self) -> None:
        """The widest name (capped), measured once: margins are asked for on every painted cell."""
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(label) for label in self.labels), default=0)
        self._widest = min(LABEL_LIMIT, widest)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._measure_labels()
            self._layout()

    def _layout(self) -> None:
        if self._fit:
            self._cell = self._fit_size()
        left, top = self._margins()
        content = math.ceil(self.count * self._cell)
        viewport = self.viewport().size()
        for bar, room in (
            (self.horizontalScrollBar(), viewport.width() - left),
            (self.verticalScrollBar(), viewport.height() - top),
        ):
            bar.setRange(0, max(0, content - room))
            bar.setPageStep(max(1, room))
            bar.setSingleStep(max(1, round(self._cell)))
        self.viewport().update()

    def cell_rect(self, row: int, column: int) -> QRectF:
        left, top = self._margins()
        x = left - self.horizontalScrollBar().value() + column * self._cell
        y = top - self.verticalScrollBar().value() + row * self._cell
        return QRectF(x, y, self._cell, self._cell)

    def cell_at(self, point: QPoint | QPointF) -> tuple[int, int] | None:
        left, top = self._margins()
        if point.x() < left or point.y() < top:
            return None
        column = math.floor((point.x() - left + self.horizontalScrollBar().value()) / self._cell)
        row = math.floor((point.y() - top + self.verticalScrollBar().value()) / self._cell)
        if 0 <= row < self.count and 0 <= column < self.count:
            return row, column
        return None

    def ensure_visible(self, row: int, column: int) -> None:
        left, top = self._margins()
        viewport = self.viewport().size()
        for bar, start, room in (
            (self.horizontalScrollBar(), column * self._cell, viewport.width() - left),
            (self.verticalScrollBar(), row * self._cell, viewport.height() - top),
        ):
            if start < bar.value():
                bar.setValue(math.floor(start))
            elif start + self._cell > bar.value() + room:
                bar.setValue(math.ceil(start + self._cell - room))

    def _visible_range(self) -> tuple[int, int, int, int]:
        """First row, end row, first column, end column of the cells on screen."""
        left, top = self._margins()
        viewport = self.viewport().size()
        first_column = max(0, math.floor(self.horizontalScrollBar().value() / self._cell))
        first_row = max(0, math.floor(self.verticalScrollBar().value() / self._cell))
        end_column = min(
            self.count, math.ceil((self.horizontalScrollBar().value() + viewport.width() - left) / self._cell)
        )
        end_row = min(
            self.count, math.ceil((self.verticalScrollBar().value() + viewport.height() - top) / self._cell)
        )
        return first_row, end_row, first_column, end_column

    # -- painting ----------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), self.palette().base())
        if not self.count:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No speakers to compare")
            )
            return
        left, top = self._margins()
        viewport = self.viewport().size()
        painter.save()
        painter.setClipRect(QRect(left, top, viewport.width() - left, viewport.height() - top))
        self._paint_cells(painter)
        self._paint_current(painter)
        painter.restore()
        if self.labels_shown():
            self._paint_labels(painter, left, top)

    def _paint_cells(self, painter: QPainter) -> None:
        first_row, end_row, first_column, end_column = self._visible_range()
        if end_row <= first_row or end_column <= first_column:
            return
        corner = self.cell_rect(first_row, first_column).topLeft()
        width, height = (end_column - first_column) * self._cell, (end_row - first_row) * self._cell
        target = QRectF(corner.x(), corner.y(), width, height)
        if self._cell >= 1.0:
            source = QRectF(first_column, first_row, end_column - first_column, end_row - first_row)
            painter.drawImage(target, self._image, source)
            return
        factor = math.ceil(1.0 / self._cell)
        image = self._pooled_image(factor)
        scale = factor * self._cell  # screen pixels per pooled pixel
        first_block_row, first_block_column = first_row // factor, first_column // factor
        end_block_row = math.ceil(end_row / factor)
        end_block_column = math.ceil(end_column / factor)
        origin = self.cell_rect(first_block_row * factor, first_block_column * factor).topLeft()
        block_target = QRectF(
            origin.x(),
            origin.y(),
            (end_block_column - first_block_column) * scale,
            (end_block_row - first_block_row) * scale,
        )
        source = QRectF(
            first_block_column,
            first_block_row,
            end_block_column - first_block_column,
            end_block_row - first_block_row,
        )
        painter.drawImage(block_target, image, source)

    def _pooled_image(self, factor: int) -> QImage:
        if factor not in self._pooled:
            self._pooled[factor] = matrix_image(pooled_max(self.similarity, factor), self.low, self.high)
        return self._pooled[factor]

    def _paint_current(self, painter: QPainter) -> None:
        if self._current is None:
            return
        rect = self.cell_rect(*self._current).adjusted(-1, -1, 1, 1)
        if rect.width() < 6:  # too small to see: a ring around it
            rect = QRectF(rect.center().x() - 4, rect.center().y() - 4, 8, 8)
        painter.setPen(QPen(self.palette().highlight().color(), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)

    def _paint_labels(self, painter: QPainter, left: int, top: int) -> None:
        first_row, end_row, first_column, end_column = self._visible_range()
        metrics = self.fontMetrics()
        text_colour = self.palette().text().color()
        highlight = self._current or (-1, -1)
        painter.setClipRect(QRect(0, top, left, self.viewport().height() - top))
        for row in range(first_row, end_row):
            rect = self.cell_rect(row, 0)
            name = metrics.elidedText(self.labels[row], Qt.TextElideMode.ElideMiddle, left - 10)
            painter.setPen(self.palette().highlight().color() if row == highlight[0] else text_colour)
            painter.drawText(
                QRectF(4, rect.y(), left - 10, rect.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                name,
            )
        painter.setClipRect(QRect(left, 0, self.viewport().width() - left, top))
        for column in range(first_column, end_column):
            rect = self.cell_rect(0, column)
            name = metrics.elidedText(self.labels[column], Qt.TextElideMode.ElideMiddle, top - 10)
            painter.save()
            painter.translate(rect.x() + rect.width() / 2 + metrics.ascent() / 2 - 1, top - 6)
            painter.rotate(-90)
            painter.setPen(self.palette().highlight().color() if column == highlight[1] else text_colour)
            painter.drawText(QPointF(0, 0), name)
            painter.restore()

    # -- events ------------------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            cell = self.cell_at(event.pos())
            if cell is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_text(*cell), self.viewport())
            return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell is not None:
            self.set_current(*cell)
        super().mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            self.zoom(steps, event.position().toPoint())
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        moves = {
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
        }
        key = event.key()
        if key in moves and self.count:
            row, column = self._current or (0, 0)
            step_row, step_column = moves[Qt.Key(key)]
            self.set_current(
                min(self.count - 1, max(0, row + step_row)), min(self.count - 1, max(0, column + step_column))
            )
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1)
        elif key == Qt.Key.Key_Minus:
            self.zoom(-1)
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)


class SimilarityLegend(QWidget):
    """The colour scale: dark is least alike, bright most alike, with the values at its ends."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.low, self.high = 0.0, 1.0
        self.setMinimumHeight(self.fontMetrics().height() * 2 + 14)
        self.setAccessibleName(self.tr("Colour scale of the similarity map"))

    def set_range(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.setToolTip(
            self.tr("Cosine similarity of speaker embeddings: {0:.2f} (dark) to {1:.2f} (bright)").format(
                low, high
            )
        )
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(260, self.minimumHeight())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = self.fontMetrics()
        bar = QRectF(8, 4, self.width() - 16, metrics.height())
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for index in range(0, len(COLOURS), 32):
            gradient.setColorAt(index / (len(COLOURS) - 1), QColor.fromRgba(int(COLOURS[index])))
        gradient.setColorAt(1.0, QColor.fromRgba(int(COLOURS[-1])))
        painter.fillRect(bar, gradient)
        painter.setPen(self.palette().text().color())
        below = QRectF(bar.left(), bar.bottom() + 2, bar.width(), metrics.height() + 4)
        painter.drawText(
            below, int(Qt.AlignmentFlag.AlignLeft), self.tr("{0:.2f} less alike").format(self.low)
        )
        painter.drawText(below, int(Qt.AlignmentFlag.AlignCenter), self.tr("cosine similarity"))
        painter.drawText(
            below, int(Qt.AlignmentFlag.AlignRight), self.tr("more alike {0:.2f}").format(self.high)
        )


# --- tables -----------------------------------------------------------------------------------------------


class SpeakerCountsModel(HeadedTableModel):
    """Per speaker: clips used and failed, and the most alike other speaker."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.results: SpeakerResults | None = None
        self._headers = (
            self.tr("Speaker"),
            self.tr("Clips used"),
            self.tr("Failed"),
            self.tr("Most alike"),
            self.tr("Similarity"),
        )

    def set_results(self, results: SpeakerResults | None) -> None:
        self.beginResetModel()
        self.results = results
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.results is None else len(self.results.speakers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or self.results is None:
            return None
        speaker = self.results.speakers[index.row()]
        labels = self.results.labels
        several = len({row.dataset for row in self.results.speakers}) > 1
        name = speaker_label(speaker.dataset, speaker.speaker, several)
        nearest = labels[speaker.nearest] if speaker.nearest is not None else ""
        similarity = speaker.nearest_similarity
        values: tuple[Any, ...] = (name, speaker.clips_used, speaker.clips_failed, nearest, similarity)
        value = values[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 4:
                return "" if similarity is None else f"{similarity:.3f}"
            return str(value)
        if role == SORT_ROLE:
            return -2.0 if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (1, 2, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0 and speaker.matrix_index is None:
            return self.tr("Every clip of this speaker failed: it has no embedding to compare")
        if role == Qt.ItemDataRole.UserRole:
            return speaker.matrix_index
        return None


class SimilarPairsModel(HeadedTableModel):
    """The most alike pairs of speakers, most alike first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.pairs: list[tuple[int, int, float]] = []
        self.labels: list[str] = []
        self._headers = (self.tr("Speaker"), self.tr("Speaker"), self.tr("Similarity"))

    def set_pairs(self, labels: list[str], pairs: list[tuple[int, int, float]]) -> None:
        self.beginResetModel()
        self.labels, self.pairs = labels, pairs
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pairs)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        first, second, value = self.pairs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (self.labels[first], self.labels[second], f"{value:.3f}")[index.column()]
        if role == SORT_ROLE:
            return (self.labels[first].casefold(), self.labels[second].casefold(), value)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return (first, second)
        return None


def _table(model: QAbstractTableModel, stretch: int) -> tuple[QTableView, QSortFilterProxyModel]:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table, proxy


# --- the pane ---------------------------------------------------------------------------------------------


def export_target(chosen: Path, fmt: str) -> Path:
    """Where an export into the folder ``chosen`` goes: the folder itself when it is empty or holds an
    earlier LocalClip export, else a new ``export-<fmt>`` folder inside it (as the command line's default),
    so a folder of the user's own files is never what the export claims."""
    chosen = Path(chosen)
    try:
        names = {entry.name for entry in chosen.iterdir()} if chosen.is_dir() else set()
    except OSError:
        names = set()
    if not names or MARKER_FILE_NAME in names:
        return chosen
    return chosen / f"export-{fmt}"


def export_embeddings(out_dir: Path, to: Path, fmt: str) -> ExportReport:
    """On a worker thread: the command line's export (``localclip export``) of the store in ``out_dir``."""
    with EmbeddingStore.open_existing(out_dir) as store:
        return export_store(store, to, fmt)


class SpeakerResultsView(QWidget):
    loaded = Signal(object)  # SpeakerResults, once shown
    message = Signal(str)  # every notice shown, for a log or status bar
    export_finished = Signal(object)  # ExportReport

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: SpeakerResults | None = None
        self._task: BackgroundTask | None = None
        self._out_dir: Path | None = None
        self._exporting: BackgroundTask | None = None
        self.setMinimumSize(480, 280)
        self._build()

    # -- public API ------------------------------------------------------------------------------------

    def show_results(self, out_dir: Path) -> None:
        """Read the embedding results in `out_dir` on a background thread and show them (`loaded`)."""
        out_dir = Path(out_dir)
        if self._task is not None:
            self._task.cancel()
        self._out_dir = out_dir
        self.title.setText(self.tr("Reading {0}…").format(out_dir.name))
        task = BackgroundTask(lambda _context: load_speaker_results(out_dir), "localclip-speaker-results")
        task.succeeded.connect(lambda results: self._on_loaded(out_dir, results))
        task.failed.connect(lambda error: self._on_failed(out_dir, error))
        self._task = task.start()

    def set_results(self, results: SpeakerResults) -> None:
        """Show `results` at once (already read)."""
        self.results = results
        self.counts_model.set_results(results)
        self.pairs_model.set_pairs(results.labels, results.pairs(PAIRS_SHOWN))
        self.heat_map.set_matrix(results.labels, results.similarity)
        self.legend.set_range(self.heat_map.low, self.heat_map.high)
        used = sum(speaker.clips_used for speaker in results.speakers)
        failed = sum(speaker.clips_failed for speaker in results.speakers)
        self.title.setText(
            self.tr("{0}: {1} speakers, {2} clips used, {3} failed").format(
                results.out_dir.name, len(results.speakers), used, failed
            )
        )
        self.title.setToolTip(f"{results.out_dir}\n{results.model_id}")
        self._set_notice("\n".join(results.notes))
        self.cell_label.setText(
            self.tr("Click a cell, or choose a speaker or a pair, to compare two speakers.")
        )
        if results.pairs(1):
            first, second, _ = results.pairs(1)[0]
            self.heat_map.set_current(first, second)

    def export_embeddings(self, fmt: str, folder: Path | None = None) -> bool:
        """Export the shown results' clip and speaker embeddings as ``fmt`` ("pkl", "npy" or "ark") into
        ``folder`` (None: ask, starting in the results folder), on a background thread (`export_finished`).
        An earlier export there is replaced only after asking; other files are never touched."""
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {fmt!r}")
        out_dir = self.results.out_dir if self.results is not None else None
        if out_dir is None or self._exporting is not None:
            return False
        chosen = folder if folder is not None else self.choose_export_folder(fmt, out_dir)
        if chosen is None:
            return False
        target = export_target(chosen, fmt)
        if (target / MARKER_FILE_NAME).is_file() and not self.ask(
            self.tr("Replace the export?"),
            self.tr("{0} holds an earlier export of embeddings. Replace it with this one?").format(target),
        ):
            return False
        self.export_button.setEnabled(False)
        self._set_notice(self.tr("Exporting the embeddings to {0}…").format(target))
        task = BackgroundTask(lambda _context: export_embeddings(out_dir, target, fmt), "localclip-export")
        task.succeeded.connect(self._on_exported)
        task.failed.connect(lambda error: self._on_export_failed(target, error))
        self._exporting = task.start()
        return True

    def choose_export_folder(self, fmt: str, out_dir: Path) -> Path | None:
        """The folder the user picks (tests replace this)."""
        titles = {
            "pkl": self.tr("Export the embeddings as pickle files"),
            "npy": self.tr("Export the embeddings as NumPy files"),
            "ark": self.tr("Export the embeddings as Kaldi ark/scp"),
        }
        chosen = QFileDialog.getExistingDirectory(self, titles[fmt], str(out_dir))
        return Path(chosen) if chosen else None

    def ask(self, title: str, text: str) -> bool:
        """A yes/no question (tests replace this)."""
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def clear(self) -> None:
        self.results = None
        self.counts_model.set_results(None)
        self.pairs_model.set_pairs([], [])
        self.heat_map.set_matrix([], np.zeros((0, 0), dtype=np.float32))
        self.title.setText(self.tr("No embedding results"))

    # -- building --------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(self.tr("No embedding results"))
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setObjectName("speakerNotice")
        self.notice.hide()

        self.counts_model = SpeakerCountsModel(self)
        # Names take what is left; the figures are as wide as they need (no horizontal scroll bar).
        self.counts_table, self.counts_proxy = _table(self.counts_model, 0)
        self.counts_table.setObjectName("speakerCounts")
        self.counts_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        for column in (1, 2):
            self.counts_table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        # Each speaker's most alike other and its value are in the model (sorting, tests), but the side
        # panel is too narrow for five columns: the pairs list beneath shows them.
        for column in (3, 4):
            self.counts_table.setColumnHidden(column, True)
        self.counts_table.selectionModel().currentRowChanged.connect(self._on_speaker_chosen)
        self.pairs_model = SimilarPairsModel(self)
        self.pairs_table, self.pairs_proxy = _table(self.pairs_model, 1)
        pairs_header = self.pairs_table.horizontalHeader()
        pairs_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # both names share the width
        pairs_header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.pairs_table.setObjectName("similarPairs")
        self.pairs_table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.pairs_table.selectionModel().currentRowChanged.connect(self._on_pair_chosen)
        pairs_label = QLabel(self.tr("Most alike pairs (same voice in two folders?)"))
        pairs_label.setBuddy(self.pairs_table)

        self.heat_map = SimilarityHeatMap()
        self.heat_map.current_changed.connect(self._on_cell)
        self.legend = SimilarityLegend()
        self.cell_label = QLabel()
        self.cell_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton(self.tr("E&xport embeddings"))
        self.export_button.setToolTip(
            self.tr("Write every clip's and speaker's embedding to a folder, as the localclip export command")
        )
        export_menu = QMenu(self.export_button)
        for fmt, text in (
            ("pkl", self.tr("Pickle files (.pkl), one per clip and speaker…")),
            ("npy", self.tr("NumPy files (.npy), one matrix per speaker…")),
            ("ark", self.tr("Kaldi archive (.ark and .scp)…")),
        ):
            export_menu.addAction(text, lambda fmt=fmt: self.export_embeddings(fmt))
        self.export_button.setMenu(export_menu)
        self.export_button.setEnabled(False)
        fit = QPushButton(self.tr("Fit"))
        fit.setToolTip(self.tr("Show the whole map (0)"))
        fit.clicked.connect(self.heat_map.fit)
        zoom_in = QPushButton("+")
        zoom_in.setToolTip(self.tr("Zoom in (+, or Ctrl and the mouse wheel)"))
        zoom_in.setAccessibleName(self.tr("Zoom in"))
        zoom_in.clicked.connect(lambda: self.heat_map.zoom(1))
        zoom_out = QPushButton("−")
        zoom_out.setToolTip(self.tr("Zoom out (-)"))
        zoom_out.setAccessibleName(self.tr("Zoom out"))
        zoom_out.clicked.connect(lambda: self.heat_map.zoom(-1))
        for button in (zoom_in, zoom_out):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("MM") + 16)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.counts_table, stretch=3)
        left_layout.addWidget(pairs_label)
        left_layout.addWidget(self.pairs_table, stretch=2)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.heat_map, stretch=1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.legend, stretch=1)
        bottom.addWidget(fit)
        bottom.addWidget(zoom_in)
        bottom.addWidget(zoom_out)
        right_layout.addLayout(bottom)
        right_layout.addWidget(self.cell_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(title_row)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, stretch=1)

    # -- slots -----------------------------------------------------------------------------------------

    def _on_loaded(self, out_dir: Path, results: SpeakerResults) -> None:
        if out_dir != self._out_dir:
            return
        self._task = None
        self.set_results(results)
        self.export_button.setEnabled(self._exporting is None)
        self.loaded.emit(results)

    def _on_failed(self, out_dir: Path, error: BaseException) -> None:
        if out_dir != self._out_dir:
            return
        self._task = None
        self.clear()
        if isinstance(error, (StoreNotFound, StoreMismatch, OSError, ValueError)):
            self._set_notice(self.tr("No results to show: {0}").format(error))
            return
        show_error(
            self,
            self.tr("Embedding results"),
            self.tr("The results in {0} could not be read.").format(out_dir),
            error_details(error),
        )

    def _on_exported(self, report: ExportReport) -> None:
        self._exporting = None
        self.export_button.setEnabled(self.results is not None)
        text = self.tr("Exported {0} clips and {1} speakers as {2} to {3}").format(
            report.clips, report.speakers, report.fmt, report.to
        )
        self._set_notice("\n".join([text, *report.notes]))
        self.export_finished.emit(report)

    def _on_export_failed(self, target: Path, error: BaseException) -> None:
        self._exporting = None
        self.export_button.setEnabled(self.results is not None)
        if isinstance(error, ExportTargetError | UnsafeName | StoreNotFound | StoreMismatch | OSError):
            self._set_notice(self.tr("Nothing was exported: {0}").format(error))
            return
        show_error(
            self,
            self.tr("Export"),
            self.tr("The embeddings could not be exported to {0}.").format(target),
            error_details(error),
        )

    def _on_speaker_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self.results is None:
            return
        speaker = self.results.speakers[self.counts_proxy.mapToSource(current).row()]
        if speaker.matrix_index is not None:
            other = speaker.nearest if speaker.nearest is not None else speaker.matrix_index
            self.heat_map.set_current(speaker.matrix_index, other)

    def _on_pair_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            first, second = self.pairs_proxy.data(current, Qt.ItemDataRole.UserRole)
            self.heat_map.set_current(first, second)

    def _on_cell(self, row: int, column: int) -> None:
        self.cell_label.setText(self.heat_map.tooltip_text(row, column))

    def _set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        if text:
            self.message.emit(text)
